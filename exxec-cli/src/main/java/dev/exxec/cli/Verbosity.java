package dev.exxec.cli;

import picocli.CommandLine.Option;

/** The {@code --verbose} option, shared by every command. */
final class Verbosity {
    /** The SLF4J Simple property that sets the default level; read once, when logging starts. */
    private static final String LOG_LEVEL = "org.slf4j.simpleLogger.defaultLogLevel";

    boolean verbose;

    @Option(
            names = {"-v", "--verbose"},
            description = "Print stack traces of errors and debug logs to stderr.")
    void verbose(boolean on) {
        verbose = on;
        if (on) {
            // Set while parsing, before any exxec class asks SLF4J for a logger.
            System.setProperty(LOG_LEVEL, "debug");
        }
    }
}
