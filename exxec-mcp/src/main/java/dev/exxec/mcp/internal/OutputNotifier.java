package dev.exxec.mcp.internal;

import dev.exxec.StdStream;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a running call's output to the client as it comes: a progress notification per chunk when the
 * request carried a {@code progressToken}, and a logging notification (logger {@code stdout} or
 * {@code stderr}, level info for both: programs write progress to stderr too) that the client's {@code logging/setLevel} filters. The whole output
 * also comes in the result: notifications stop after the server's output limit, so a flood cannot
 * swamp the client.
 */
final class OutputNotifier {
    private static final Logger LOG = LoggerFactory.getLogger(OutputNotifier.class);

    private final McpSyncServerExchange exchange;
    private final @Nullable Object progressToken;
    private final int maxChars;
    private int sent;
    private int count;
    private boolean stopped;

    OutputNotifier(McpSyncServerExchange exchange, @Nullable Object progressToken, int maxChars) {
        this.exchange = exchange;
        this.progressToken = progressToken;
        this.maxChars = maxChars;
    }

    void output(StdStream stream, String text) {
        if (stopped) {
            return;
        }
        String chunk = text;
        if (sent + chunk.length() > maxChars) {
            chunk = Results.Cut.of(chunk, Math.max(0, maxChars - sent)).text()
                    + "\n[output notifications stop here; the result holds the output up to its limit]";
            stopped = true;
        }
        sent += chunk.length();
        count++;
        String logger = stream.name().toLowerCase(Locale.ROOT);
        try {
            if (progressToken != null) {
                exchange.progressNotification(
                        new McpSchema.ProgressNotification(progressToken, (double) count, null, chunk));
            }
            exchange.loggingNotification(
                    new McpSchema.LoggingMessageNotification(McpSchema.LoggingLevel.INFO, logger, chunk));
        } catch (RuntimeException e) {
            // A client that went away cannot be told; the call still ends normally.
            LOG.debug("could not send output notification", e);
            stopped = true;
        }
    }
}
