package dev.exxec.mcp.internal;

/**
 * A client asked for more than a cap of the server allows; the message names the cap, its value, the
 * {@code exxec serve} flag that sets it, and what the client can do. A tool result
 * ({@code LimitExceededError}), never a crash.
 */
public final class LimitExceededException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    LimitExceededException(String message) {
        super(message);
    }
}
