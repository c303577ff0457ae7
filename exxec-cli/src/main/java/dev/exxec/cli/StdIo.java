package dev.exxec.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * The streams one invocation reads and writes: the process's own in {@link Main#main}, captured ones
 * in tests. Results go to {@code out}; errors, logs and build noise to {@code err}.
 *
 * @param in standard input
 * @param out standard output
 * @param err standard error
 * @param tty which of {@code out} and {@code err} is a terminal
 * @param workingDirectory the directory the command was started in (absolute)
 */
record StdIo(InputStream in, PrintStream out, PrintStream err, Tty tty, Path workingDirectory) {

    /** Streams that are no terminal, in this process's working directory. */
    StdIo(InputStream in, PrintStream out, PrintStream err) {
        this(in, out, err, Tty.NONE, Path.of("").toAbsolutePath());
    }
}
