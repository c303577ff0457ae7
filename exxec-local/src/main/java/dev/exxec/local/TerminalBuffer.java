package dev.exxec.local;

import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What a terminal printed and nobody read yet. A pump thread appends; readers take. When readers fall
 * more than {@code capacity} bytes behind, the oldest bytes are dropped: a terminal never blocks the
 * program on it because nobody reads. Thread-safe.
 */
final class TerminalBuffer {
    private final byte[] ring;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private long written;
    private long read;
    private boolean closed;

    TerminalBuffer(int capacity) {
        ring = new byte[capacity];
    }

    void append(byte[] bytes, int offset, int length) {
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

    void close() {
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
    int take(byte[] into, int offset, int length, Duration timeout) throws InterruptedException {
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

    /** A blocking stream over the buffer; ends when the buffer is closed and empty. */
    InputStream stream() {
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
