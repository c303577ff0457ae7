package dev.exxec.mcp.internal;

import dev.exxec.StdStream;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a running call's output to the client as it comes: a progress notification when the request
 * carried a {@code progressToken} (with {@code _meta} {@value #STREAM_META} saying {@code stdout} or
 * {@code stderr}), else a logging notification (logger {@code stdout} or {@code stderr}, level info)
 * that the client's {@code logging/setLevel} filters.
 *
 * <p>Output is coalesced: at most one notification per stream every {@value #INTERVAL_MS} ms (the
 * first at once), because each one is a message the client must take; a program that prints many
 * small chunks would otherwise be slowed to the client's pace. The whole output also comes in the
 * result: notifications stop after the call's output limit, so a flood cannot swamp the client.
 * Thread-safe.
 */
final class OutputNotifier implements AutoCloseable {
    /** The {@code _meta} key of a progress notification that names the stream. */
    static final String STREAM_META = "dev.exxec/stream";

    private static final Logger LOG = LoggerFactory.getLogger(OutputNotifier.class);
    private static final long INTERVAL_MS = 100;
    private static final int PIECE = 16 << 10;
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "exxec-mcp-output-flush");
        t.setDaemon(true);
        return t;
    });

    private final McpSyncServerExchange exchange;
    private final @Nullable Object progressToken;
    private final int maxChars;
    private final StringBuilder stdout = new StringBuilder();
    private final StringBuilder stderr = new StringBuilder();
    private int sent;
    private int count;
    private long lastSend;
    private boolean scheduled;
    private boolean stopped;

    OutputNotifier(McpSyncServerExchange exchange, @Nullable Object progressToken, int maxChars) {
        this.exchange = exchange;
        this.progressToken = progressToken;
        this.maxChars = maxChars;
    }

    synchronized void output(StdStream stream, String text) {
        if (stopped) {
            return;
        }
        String chunk = text;
        if (sent + chunk.length() > maxChars) {
            chunk = Results.Cut.of(chunk, Math.max(0, maxChars - sent)).text()
                    + "\n[output notifications stop here; the result holds the output up to its limit]\n";
            stopped = true;
        }
        sent += chunk.length();
        (stream == StdStream.STDERR ? stderr : stdout).append(chunk);
        long now = System.nanoTime();
        if (stopped || now - lastSend >= TimeUnit.MILLISECONDS.toNanos(INTERVAL_MS)) {
            flush();
        } else if (!scheduled) {
            scheduled = true;
            long delay = INTERVAL_MS - TimeUnit.NANOSECONDS.toMillis(now - lastSend);
            TIMER.schedule(this::scheduledFlush, Math.max(1, delay), TimeUnit.MILLISECONDS);
        }
    }

    private synchronized void scheduledFlush() {
        scheduled = false;
        flush();
    }

    private void flush() {
        send(StdStream.STDOUT, stdout);
        send(StdStream.STDERR, stderr);
        lastSend = System.nanoTime();
    }

    private void send(StdStream stream, StringBuilder pending) {
        if (pending.isEmpty()) {
            return;
        }
        String all = pending.toString();
        pending.setLength(0);
        // Small messages: a client handles each as it comes, and large SSE events stalled here.
        for (int i = 0; i < all.length() && !stopped; i += PIECE) {
            sendOne(stream, all.substring(i, Math.min(all.length(), i + PIECE)));
        }
    }

    private void sendOne(StdStream stream, String chunk) {
        count++;
        String name = stream.name().toLowerCase(Locale.ROOT);
        try {
            if (progressToken != null) {
                exchange.progressNotification(new McpSchema.ProgressNotification(
                        progressToken, (double) count, null, chunk, Map.of(STREAM_META, name)));
            } else {
                exchange.loggingNotification(
                        new McpSchema.LoggingMessageNotification(McpSchema.LoggingLevel.INFO, name, chunk));
            }
        } catch (RuntimeException e) {
            // A client that went away cannot be told; the call still ends normally.
            LOG.debug("could not send output notification", e);
            stopped = true;
        }
    }

    /** Sends what is pending; called when the call ends, before its result. */
    @Override
    public synchronized void close() {
        flush();
        stopped = true;
    }
}
