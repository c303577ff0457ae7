package dev.exxec;

import org.jspecify.annotations.Nullable;

/**
 * A blocking call was cancelled (its thread interrupted, its stream closed) and everything it started
 * was killed. When the cause was an interrupt, the thread's interrupt flag is set again.
 */
public class ExecutionCancelledException extends ExxecException {
    private static final long serialVersionUID = 1L;

    public ExecutionCancelledException(String message) {
        super(message);
    }

    public ExecutionCancelledException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
