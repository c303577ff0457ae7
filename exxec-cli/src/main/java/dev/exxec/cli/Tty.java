package dev.exxec.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Whether this process's standard input is a terminal, as Linux tells it: {@code /proc/self/fd/0}
 * links to a pseudo-terminal ({@code /dev/pts/N}) or a terminal device ({@code /dev/tty*}). Anything
 * else (a pipe, a file, {@code /dev/null}, no {@code /proc}) is not.
 */
final class Tty {
    /** Overrides the answer for the process's standard input: {@code true} or {@code false} (tests). */
    static final String PROPERTY = "exxec.stdin.terminal";

    private static final Pattern TERMINAL = Pattern.compile("/dev/pts/\\d+|/dev/tty\\w*");

    private Tty() {}

    /** Whether the invocation reads a terminal: only the process's own standard input can be one. */
    static boolean stdin(StdIo io) {
        String forced = System.getProperty(PROPERTY);
        if (forced != null) {
            return Boolean.parseBoolean(forced);
        }
        return io.in() == System.in && linksToTerminal(Path.of("/proc/self/fd/0"));
    }

    /** Whether a descriptor's link in {@code /proc/PID/fd} names a terminal device. */
    static boolean linksToTerminal(Path descriptor) {
        try {
            return TERMINAL.matcher(Files.readSymbolicLink(descriptor).toString())
                    .matches();
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }
}
