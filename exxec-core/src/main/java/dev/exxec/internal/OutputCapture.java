package dev.exxec.internal;

import java.util.Arrays;

/**
 * Keeps the first {@code limit} bytes written to one stream and counts the rest. Memory is bounded by
 * the limit whatever the process prints. Thread-safe.
 */
public final class OutputCapture {
    private final long limit;
    private byte[] bytes = new byte[256];
    private int size;
    private long total;

    public OutputCapture(long limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative: " + limit);
        }
        this.limit = limit;
    }

    /** Appends; returns how many of the bytes were kept (the rest is beyond the limit). */
    public synchronized int append(byte[] source, int offset, int length) {
        total += length;
        int keep = (int) Math.max(0, Math.min(length, limit - size));
        if (keep > 0) {
            if (size + keep > bytes.length) {
                bytes = Arrays.copyOf(bytes, (int) Math.min(limit, Math.max((long) bytes.length * 2, size + keep)));
            }
            System.arraycopy(source, offset, bytes, size, keep);
            size += keep;
        }
        return keep;
    }

    /** Whether more was written than kept. */
    public synchronized boolean truncated() {
        return total > size;
    }

    /** Bytes written in all, kept or not. */
    public synchronized long total() {
        return total;
    }

    /** The kept text; a multi-byte character cut by the limit is dropped rather than garbled. */
    public synchronized String text() {
        int length = truncated() ? Utf8.boundary(bytes, 0, size) : size;
        return Utf8.decode(bytes, 0, length);
    }
}
