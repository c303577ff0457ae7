/** Implementation of the MCP server and the mcp provider; not API. The MCP SDK's types stay here. */
@NullMarked
package dev.exxec.mcp.internal;

import org.jspecify.annotations.NullMarked;
