package dev.exxec.cli;

import dev.exxec.ExxecException;

/**
 * A mistake on the command line that picocli cannot see (a missing or empty code file, a malformed
 * {@code --set}); reported as one line with its exit code, {@link ExitCodes#EXXEC_FAILED} unless the
 * mistake has a code of its own (a program file not found, one that cannot be read).
 */
final class UsageException extends ExxecException {
    private static final long serialVersionUID = 1L;

    private final int exitCode;

    UsageException(String message) {
        this(message, ExitCodes.EXXEC_FAILED);
    }

    UsageException(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    /** The exit code this mistake ends the command with. */
    int exitCode() {
        return exitCode;
    }
}
