package dev.exxec.cli;

import java.io.InputStream;
import java.io.PrintStream;

/**
 * The streams one invocation reads and writes: the process's own in {@link Main#main}, captured ones
 * in tests. Results go to {@code out}; errors, logs and build noise to {@code err}.
 */
record StdIo(InputStream in, PrintStream out, PrintStream err) {}
