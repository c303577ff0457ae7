package dev.exxec.pool;

import org.jspecify.annotations.Nullable;

/**
 * What a pool holds and has done.
 *
 * @param idle environments waiting to be lent
 * @param lent environments lent now
 * @param creating environments being made now
 * @param created environments made so far
 * @param retired environments closed so far (poisoned, worn out, too old, unhealthy, surplus)
 * @param leases leases handed out so far
 * @param lastFailure the last failure to make an environment, or null
 */
public record PoolStats(
        int idle,
        int lent,
        int creating,
        long created,
        long retired,
        long leases,
        @Nullable RuntimeException lastFailure) {

    /** Environments the pool holds now, waiting and lent. */
    public int size() {
        return idle + lent;
    }

    @Override
    public String toString() {
        return "idle " + idle + ", lent " + lent + ", creating " + creating + ", created " + created + ", retired "
                + retired + ", leases " + leases
                + (lastFailure == null ? "" : ", last failure: " + lastFailure.getMessage());
    }
}
