package dev.exxec.pool;

/** What acquiring from a pool does when {@code maxSize} members are all lent. */
public enum WhenExhausted {
    /** Wait for one to come back, up to the acquire timeout (the default). */
    WAIT,
    /** Fail at once with {@link PoolExhaustedException}. */
    FAIL,
    /** Make another beyond {@code maxSize}; it is closed when it comes back. */
    GROW
}
