package dev.exxec.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which of the process's output streams is a terminal, found without native code: on Linux
 * {@code /proc/self/fd/N} is a link to {@code /dev/pts/N}, {@code /dev/ttyX} or {@code /dev/console}
 * when descriptor N is a terminal. A terminal gets the program's output as it is written, with its
 * control characters shown escaped, and exxec's progress notes; a pipe or a file gets none of that.
 *
 * <p>The system property {@value #PROPERTY} overrides the detection: a comma-separated list of the
 * streams to treat as terminals ({@code stdout}, {@code stderr}), or {@code none}.
 *
 * @param stdout whether standard output is a terminal
 * @param stderr whether standard error is a terminal
 */
record Tty(boolean stdout, boolean stderr) {

    /** The overriding system property. */
    static final String PROPERTY = "exxec.tty";

    /** Neither stream is a terminal: captured streams, pipes and files. */
    static final Tty NONE = new Tty(false, false);

    /** Both streams are terminals. */
    static final Tty BOTH = new Tty(true, true);

    /** The streams of this process: the override when set, else what {@code /proc/self/fd} says. */
    static Tty detect() {
        String override = System.getProperty(PROPERTY);
        if (override != null) {
            return parse(override);
        }
        return new Tty(isTerminal(1), isTerminal(2));
    }

    /**
     * The streams a {@value #PROPERTY} value names.
     *
     * @throws UsageException for a name that is not a stream
     */
    static Tty parse(String value) {
        Set<String> names = Arrays.stream(value.split(","))
                .map(s -> s.strip().toLowerCase(Locale.ROOT))
                .filter(s -> !s.isEmpty() && !s.equals("none"))
                .collect(Collectors.toSet());
        for (String name : names) {
            if (!name.equals("stdout") && !name.equals("stderr")) {
                throw new UsageException("-D" + PROPERTY + " expects stdout, stderr, both comma-separated, or none;"
                        + " got '" + value + "'");
            }
        }
        return new Tty(names.contains("stdout"), names.contains("stderr"));
    }

    /** Whether the descriptor is a terminal device, as far as /proc tells; false where it cannot tell. */
    static boolean isTerminal(int fd) {
        try {
            return isTerminalDevice(Files.readSymbolicLink(Path.of("/proc/self/fd", Integer.toString(fd)))
                    .toString());
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false; // no /proc (not Linux), or a closed descriptor: treat as not a terminal
        }
    }

    /** Whether a device path names a terminal: a pseudo-terminal, a virtual console or a serial line. */
    static boolean isTerminalDevice(String target) {
        return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
    }
}
