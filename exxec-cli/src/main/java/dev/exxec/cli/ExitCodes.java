package dev.exxec.cli;

/**
 * The exit codes of the {@code exxec} command, in one place so that help texts and code agree.
 *
 * <p>exxec's own outcomes use the range {@code timeout(1)} and {@code env(1)} use, so that a script
 * can tell them from a program's: 124 the call reached its deadline, 125 exxec itself failed, 126 the
 * program cannot run, 127 it was not found. {@code exec} passes the command's own code on (a command
 * the shell cannot find is already 127); a command that exits 124 to 127 by itself is read the same
 * way, as with {@code timeout(1)}.
 */
final class ExitCodes {
    /** The code ran (or the command exited 0). */
    static final int OK = 0;

    /** The code failed: an exception, a non-zero exit, a limit (but not the deadline: {@link #TIMED_OUT}). */
    static final int FAILED = 1;

    /** exxec stopped the call at its deadline, as coreutils {@code timeout} reports it. */
    static final int TIMED_OUT = 124;

    /**
     * exxec itself failed, nothing ran: a usage or configuration error, an unavailable provider, an
     * environment that did not start, an infrastructure fault; as {@code timeout(1)} reports its own.
     */
    static final int EXXEC_FAILED = 125;

    /**
     * The program cannot run: its file cannot be read or is a directory, or the environment has no
     * interpreter for its language; as a shell reports a file it cannot execute.
     */
    static final int CANNOT_RUN = 126;

    /** The program file does not exist; as a shell reports a command it cannot find. */
    static final int NOT_FOUND = 127;

    private ExitCodes() {}
}
