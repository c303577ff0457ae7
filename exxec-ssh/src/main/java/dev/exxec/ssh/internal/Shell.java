package dev.exxec.ssh.internal;

import java.util.List;

/** Quoting for the POSIX shell a remote command line passes through. */
public final class Shell {
    private Shell() {}

    /**
     * One word, whatever its bytes: in single quotes, each single quote written as {@code '\''}.
     * Newlines, {@code $}, backticks and backslashes stay literal; nothing in it is ever executed.
     */
    public static String quote(String word) {
        if (word.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a NUL character cannot be passed to a remote command");
        }
        return "'" + word.replace("'", "'\\''") + "'";
    }

    /** Words joined by spaces, each quoted. */
    public static String join(List<String> words) {
        StringBuilder line = new StringBuilder();
        for (String word : words) {
            if (!line.isEmpty()) {
                line.append(' ');
            }
            line.append(quote(word));
        }
        return line.toString();
    }
}
