package dev.exxec.pool;

import dev.exxec.ExxecException;

/** No environment of a pool came free in time, or at once when the pool fails instead of waiting. */
public final class PoolExhaustedException extends ExxecException {
    private static final long serialVersionUID = 1L;

    public PoolExhaustedException(String message) {
        super(message);
    }
}
