package dev.exxec;

import org.jspecify.annotations.Nullable;

/** An environment could not be created or started; nothing of it is left behind. */
public class EnvironmentStartException extends ExxecException {
    private static final long serialVersionUID = 1L;

    public EnvironmentStartException(String message) {
        super(message);
    }

    public EnvironmentStartException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
