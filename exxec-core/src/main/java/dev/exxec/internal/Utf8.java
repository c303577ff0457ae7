package dev.exxec.internal;

import java.nio.charset.StandardCharsets;

/** UTF-8 helpers for text cut out of byte streams. */
public final class Utf8 {
    private Utf8() {}

    /**
     * The largest {@code n <= length} such that bytes {@code [offset, offset + n)} do not end inside a
     * multi-byte sequence (an invalid tail is left to the decoder's replacement).
     */
    public static int boundary(byte[] bytes, int offset, int length) {
        int end = offset + length;
        // Look back at most 3 bytes for the lead byte of the last sequence.
        for (int i = end - 1; i >= Math.max(offset, end - 3); i--) {
            int b = bytes[i] & 0xff;
            if (b < 0x80) {
                return length; // ASCII: the sequence before it is complete
            }
            if (b >= 0xc0) {
                int needed = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
                return end - i >= needed ? length : i - offset;
            }
        }
        return length;
    }

    /** Decodes, replacing invalid input with U+FFFD. */
    public static String decode(byte[] bytes, int offset, int length) {
        return new String(bytes, offset, length, StandardCharsets.UTF_8);
    }
}
