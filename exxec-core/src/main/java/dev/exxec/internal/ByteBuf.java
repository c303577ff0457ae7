package dev.exxec.internal;

import java.util.Arrays;

/** A growable byte buffer with a read offset: append at the end, consume from the front. Not thread-safe. */
final class ByteBuf {
    private byte[] bytes = new byte[8192];
    private int start;
    private int end;

    int length() {
        return end - start;
    }

    byte get(int index) {
        return bytes[start + index];
    }

    void append(byte[] source, int offset, int length) {
        if (end + length > bytes.length) {
            int live = end - start;
            if (start > 0 && live + length <= bytes.length) {
                System.arraycopy(bytes, start, bytes, 0, live);
            } else {
                bytes = Arrays.copyOfRange(bytes, start, start + Math.max(bytes.length * 2, live + length));
            }
            start = 0;
            end = live;
        }
        System.arraycopy(source, offset, bytes, end, length);
        end += length;
    }

    /** Index (relative to the front) of the first {@code b} at or after {@code from}, or -1. */
    int indexOf(byte b, int from) {
        for (int i = start + from; i < end; i++) {
            if (bytes[i] == b) {
                return i - start;
            }
        }
        return -1;
    }

    /** Index of the first occurrence of {@code pattern} within the first {@code limit} bytes, or -1. */
    int indexOf(byte[] pattern, int limit) {
        int last = Math.min(start + limit, end) - pattern.length;
        outer:
        for (int i = start; i <= last; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (bytes[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i - start;
        }
        return -1;
    }

    /** The underlying array; valid bytes are at {@link #offset()} .. offset + length. */
    byte[] array() {
        return bytes;
    }

    int offset() {
        return start;
    }

    void consume(int count) {
        start += count;
        if (start == end) {
            start = 0;
            end = 0;
            if (bytes.length > 1 << 20) {
                bytes = new byte[8192]; // give back a buffer that a long line once grew
            }
        }
    }
}
