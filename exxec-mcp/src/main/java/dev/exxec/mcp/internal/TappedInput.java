package dev.exxec.mcp.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Standard input of the stdio transport, one newline-delimited message at a time through a rewrite
 * ({@link MessageTap}) that may also drop a line (by returning null); counts down {@link #ended()} when the client closes its end.
 */
public final class TappedInput extends InputStream {
    private final BufferedReader in;
    private final Function<String, @Nullable String> rewrite;
    private final CountDownLatch ended = new CountDownLatch(1);
    private byte[] line = new byte[0];
    private int pos;

    public TappedInput(InputStream in, Function<String, @Nullable String> rewrite) {
        this.in = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        this.rewrite = rewrite;
    }

    /** Reaches zero at the end of input. */
    public CountDownLatch ended() {
        return ended;
    }

    private boolean fill() throws IOException {
        while (pos >= line.length) {
            String next;
            try {
                next = in.readLine();
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
