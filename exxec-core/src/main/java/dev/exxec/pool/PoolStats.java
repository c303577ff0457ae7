package dev.exxec.pool;

import org.jspecify.annotations.Nullable;

/**
 * What a pool holds and has done; its members are environments or sessions.
 *
 * @param idle members waiting to be lent
 * @param lent members lent now
 * @param creating members being made now
 * @param created members made so far
 * @param retired members closed so far (poisoned, worn out, too old, unhealthy, surplus, discarded)
 * @param leases leases handed out so far
 * @param lastFailure the last failure to make a member, or null
 */
public record PoolStats(
        int idle,
        int lent,
        int creating,
        long created,
        long retired,
        long leases,
        @Nullable RuntimeException lastFailure) {

    /** Members the pool holds now, waiting and lent. */
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
