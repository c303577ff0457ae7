package dev.exxec.mcp.internal;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Standard input of the stdio transport, one newline-delimited message at a time through a rewrite
 * ({@link MessageTap}) that may also drop a line (by returning null); counts down {@link #ended()} when the client closes its end.
 *
 * <p>A line longer than {@code maxLineBytes} is never held: its first bytes are dropped with the rest
 * of it as it arrives, {@code tooLong} is told, and the next line is read (stdio's counterpart of the
 * HTTP transport's request size limit; a client's 1 GiB line filled the server's memory before).
 */
public final class TappedInput extends InputStream {
    private final InputStream in;
    private final int maxLineBytes;
    private final Function<String, @Nullable String> rewrite;
    private final Runnable tooLong;
    private final CountDownLatch ended = new CountDownLatch(1);
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private byte[] line = new byte[0];
    private int pos;

    public TappedInput(InputStream in, int maxLineBytes, Function<String, @Nullable String> rewrite, Runnable tooLong) {
        if (maxLineBytes <= 0) {
            throw new IllegalArgumentException("maxLineBytes must be positive: " + maxLineBytes);
        }
        this.in = new BufferedInputStream(in, 64 * 1024);
        this.maxLineBytes = maxLineBytes;
        this.rewrite = rewrite;
        this.tooLong = tooLong;
    }

    /**
     * The next line without its end ({@code \n}, and a {@code \r} before it), or null at the end of
     * input; a line over the limit is skipped whole and reported.
     */
    private @Nullable String readLine() throws IOException {
        while (true) {
            pending.reset();
            boolean over = false;
            int b;
            while ((b = in.read()) != -1 && b != '\n') {
                if (over) {
                    continue;
                }
                if (pending.size() >= maxLineBytes) {
                    over = true;
                    pending.reset();
                    continue;
                }
                pending.write(b);
            }
            if (over) {
                tooLong.run();
                if (b == -1) {
                    return null;
                }
                continue;
            }
            if (b == -1 && pending.size() == 0) {
                return null;
            }
            String text = pending.toString(StandardCharsets.UTF_8);
            return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
        }
    }

    /** Reaches zero at the end of input. */
    public CountDownLatch ended() {
        return ended;
    }

    private boolean fill() throws IOException {
        while (pos >= line.length) {
            String next;
            try {
                next = readLine();
            } catch (IOException e) {
                ended.countDown();
                throw e;
            }
            if (next == null) {
                ended.countDown();
                return false;
            }
            String message = rewrite.apply(next);
            if (message != null) { // null: the line was answered without the SDK
                line = (message + "\n").getBytes(StandardCharsets.UTF_8);
                pos = 0;
            }
        }
        return true;
    }

    @Override
    public synchronized int read() throws IOException {
        return fill() ? line[pos++] & 0xff : -1;
    }

    @Override
    public synchronized int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (!fill()) {
            return -1;
        }
        int n = Math.min(len, line.length - pos);
        System.arraycopy(line, pos, b, off, n);
        pos += n;
        return n;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
