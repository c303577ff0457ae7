package dev.exxec;

/**
 * A call was refused because a resource limit of the environment or its provider was reached (such
 * as how many calls may be left running past their deadline); the message names the limit, its
 * value and the configuration key that sets it. Retrying later may succeed. {@code exxec serve}
 * reports it with {@code errorType} {@code LimitExceededError}.
 */
public class LimitExceededException extends ExxecException {
    private static final long serialVersionUID = 1L;

    public LimitExceededException(String message) {
        super(message);
    }
}
