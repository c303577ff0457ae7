package dev.exxec.spi;

import dev.exxec.ExecutionCancelledException;
import dev.exxec.ExxecException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What a terminal printed and nobody read yet. A pump thread appends; readers take. When readers fall
 * more than {@code capacity} bytes behind, the oldest bytes are dropped: a terminal never blocks the
 * program on it because nobody reads. Thread-safe.
 */
public final class TerminalBuffer {
    private final byte[] ring;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private long written;
    private long read;
    private boolean closed;

    /** A buffer that keeps at most {@code capacity} unread bytes. */
    public TerminalBuffer(int capacity) {
        ring = new byte[capacity];
    }

    /** Adds what the terminal printed. */
    public void append(byte[] bytes, int offset, int length) {
        lock.lock();
        try {
            for (int i = 0; i < length; i++) {
                ring[(int) (written++ % ring.length)] = bytes[offset + i];
            }
            if (written - read > ring.length) {
                read = written - ring.length;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Marks the end: the terminal's program ended; readers get the rest, then end of stream. */
    public void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes up to {@code length} bytes, waiting at most {@code timeout} for some; returns -1 at the
     * end, 0 when none came in time.
     */
    public int take(byte[] into, int offset, int length, Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        lock.lock();
        try {
            while (written == read) {
                if (closed) {
                    return -1;
                }
                if (nanos <= 0) {
                    return 0;
                }
                nanos = changed.awaitNanos(nanos);
            }
            int n = (int) Math.min(length, written - read);
            for (int i = 0; i < n; i++) {
                into[offset + i] = ring[(int) (read++ % ring.length)];
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Reads until the text read contains {@code expected} (see {@link dev.exxec.Terminal#readUntil});
     * one byte at a time, so nothing after the expected text is taken from the stream.
     */
    public String readUntil(String terminalId, String expected, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] wanted = expected.getBytes(StandardCharsets.UTF_8);
        byte[] read = new byte[256];
        int size = 0;
        try {
            synchronized (this) {
                while (!endsWith(read, size, wanted)) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new ExxecException("terminal " + terminalId + ": '" + expected
                                + "' did not appear within " + timeout.toMillis() + " ms; read: "
                                + new String(read, 0, size, StandardCharsets.UTF_8));
                    }
                    if (size == read.length) {
                        read = Arrays.copyOf(read, size * 2);
                    }
                    int n = take(read, size, 1, Duration.ofNanos(left));
                    if (n < 0) {
                        throw new ExxecException("terminal " + terminalId + " ended before '" + expected
                                + "' appeared; read: " + new String(read, 0, size, StandardCharsets.UTF_8));
                    }
                    size += n;
                }
                return new String(read, 0, size, StandardCharsets.UTF_8);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ExecutionCancelledException("interrupted while reading terminal " + terminalId, e);
        }
    }

    private static boolean endsWith(byte[] bytes, int size, byte[] wanted) {
        if (size < wanted.length) {
            return false;
        }
        for (int i = 0; i < wanted.length; i++) {
            if (bytes[size - wanted.length + i] != wanted[i]) {
                return false;
            }
        }
        return true;
    }

    /** A blocking stream over the buffer; ends when the buffer is closed and empty. */
    public InputStream stream() {
        return new InputStream() {
            @Override
            public int read() throws java.io.IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws java.io.IOException {
                if (len == 0) {
                    return 0;
                }
                try {
                    int n;
                    do {
                        n = take(b, off, len, Duration.ofDays(1));
                    } while (n == 0);
                    return n;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted while reading terminal output");
                }
            }

            @Override
            public int available() {
                lock.lock();
                try {
                    return (int) Math.min(Integer.MAX_VALUE, written - read);
                } finally {
                    lock.unlock();
                }
            }
        };
    }
}
