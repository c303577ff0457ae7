/**
 * exxec over the Model Context Protocol: {@link dev.exxec.mcp.ExxecMcpServer} offers an environment's
 * code execution, commands, files and background processes as MCP tools (stdio or streamable HTTP),
 * and the {@code mcp} provider ({@link dev.exxec.mcp.McpProvider}) runs code through another MCP
 * server's tools.
 */
@NullMarked
package dev.exxec.mcp;

import org.jspecify.annotations.NullMarked;
