package dev.exxec;

import org.jspecify.annotations.Nullable;

/**
 * The root of exxec's exceptions: API misuse and infrastructure faults. Failures of the user's code
 * are {@link ExecutionResult}s, never exceptions.
 */
public class ExxecException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ExxecException(String message) {
        super(message);
    }

    public ExxecException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
