package dev.exxec.ssh.internal;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

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

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /**
     * A script that exports the variables, one line each, for a POSIX shell to source: {@code command
     * export NAME='value'} ({@code command}, so that a variable the shell keeps read-only is left as
     * it is instead of ending the shell).
     *
     * @throws IllegalArgumentException when a name is not a shell identifier, or a value holds NUL
     */
    public static String exports(Map<String, String> variables) {
        StringBuilder script = new StringBuilder();
        variables.forEach((name, value) -> {
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("environment variable name '" + name
                        + "' is not a shell identifier (letters, digits and underscores, not starting with a digit)");
            }
            script.append("command export ")
                    .append(name)
                    .append('=')
                    .append(quote(value))
                    .append(" 2>/dev/null\n");
        });
        return script.toString();
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
