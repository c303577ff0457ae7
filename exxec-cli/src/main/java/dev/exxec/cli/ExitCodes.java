package dev.exxec.cli;

/** The exit codes of the {@code exxec} command, in one place so that help texts and code agree. */
final class ExitCodes {
    /** The code ran (or the command exited 0). */
    static final int OK = 0;

    /** The code failed: an exception, a timeout, a non-zero exit. */
    static final int FAILED = 1;

    /**
     * exxec could not run it: a usage or configuration error, an unavailable provider, an environment
     * that did not start. One code for all of them, so scripts can tell "my code failed" (1) from
     * "nothing ran" (2).
     */
    static final int NOT_RUN = 2;

    /** A command reached its deadline, as coreutils {@code timeout} reports it. */
    static final int TIMED_OUT = 124;

    private ExitCodes() {}
}
