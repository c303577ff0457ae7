package dev.exxec.mcp;

import dev.exxec.ExecutionEnvironment;
import dev.exxec.spi.Availability;
import dev.exxec.spi.ExecutionProvider;
import java.util.List;
import java.util.Map;

/**
 * The {@code mcp} provider: code and commands run through another MCP server's tools ({@code exxec
 * serve}'s by default), over stdio or streamable HTTP; see {@link McpConfig}.
 */
public final class McpProvider implements ExecutionProvider {
    /** Its id. */
    public static final String ID = "mcp";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "through an MCP server that offers a code-execution tool (stdio command or streamable HTTP URL)";
    }

    @Override
    public List<ConfigKey> configKeys() {
        return McpConfig.ALL_KEYS;
    }

    @Override
    public Availability availability() {
        return Availability.available(
                "needs an MCP server: set 'command' (stdio) or 'url' (streamable HTTP)",
                List.of("e.g. --set command='exxec serve' or --set url=http://127.0.0.1:8765/mcp"));
    }

    @Override
    public ExecutionEnvironment create(Map<String, ?> config) {
        return McpEnvironment.connect(McpConfig.from(config));
    }
}
