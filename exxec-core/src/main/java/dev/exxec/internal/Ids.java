package dev.exxec.internal;

import java.security.SecureRandom;

/** Short random ids, unique in practice, safe in file names and shell words. */
public final class Ids {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz".toCharArray();

    private Ids() {}

    /** {@code prefix-} and 12 random characters (62 bits). */
    public static String next(String prefix) {
        return prefix + "-" + random(12);
    }

    /** {@code length} random lower-case letters and digits. */
    public static String random(int length) {
        char[] out = new char[length];
        for (int i = 0; i < length; i++) {
            out[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return new String(out);
    }
}
