package dev.exxec.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
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

    /** Overrides the answer for the process's standard input: {@code true} or {@code false} (tests). */
    static final String STDIN_PROPERTY = "exxec.stdin.terminal";

    /** A pseudo-terminal (not its multiplexer, /dev/pts/ptmx), a virtual console or a serial line. */
    private static final Pattern TERMINAL = Pattern.compile("/dev/pts/\\d+|/dev/tty\\w*|/dev/console");

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
        // no /proc (not Linux), or a closed descriptor: not a terminal
        return linksToTerminal(Path.of("/proc/self/fd", Integer.toString(fd)));
    }

    /** Whether a device path names a terminal: a pseudo-terminal, a virtual console or a serial line. */
    static boolean isTerminalDevice(String target) {
        return TERMINAL.matcher(target).matches();
    }

    /**
     * Whether the invocation reads a terminal: only the process's own standard input can be one (the
     * {@value #STDIN_PROPERTY} property overrides it).
     */
    static boolean stdin(StdIo io) {
        String forced = System.getProperty(STDIN_PROPERTY);
        if (forced != null) {
            return Boolean.parseBoolean(forced);
        }
        return io.in() == System.in && linksToTerminal(Path.of("/proc/self/fd/0"));
    }

    /** Whether a descriptor's link in {@code /proc/PID/fd} names a terminal device. */
    static boolean linksToTerminal(Path descriptor) {
        try {
            return isTerminalDevice(Files.readSymbolicLink(descriptor).toString());
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }
}
