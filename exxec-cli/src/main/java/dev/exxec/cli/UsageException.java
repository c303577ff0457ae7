package dev.exxec.cli;

import dev.exxec.ExxecException;

/**
 * A mistake on the command line that picocli cannot see (a missing or empty code file, a malformed
 * {@code --set}); reported as one line with exit code {@link ExitCodes#NOT_RUN}.
 */
final class UsageException extends ExxecException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }
}
