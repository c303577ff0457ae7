package dev.exxec.pool;

import dev.exxec.pool.internal.MemberPool;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The settings every pool has, whatever it lends: how many members wait and exist at most, how long
 * one serves, and what acquiring does when all are lent. {@link EnvironmentPool.Builder} and {@link
 * SessionPool.Builder} add what is particular to environments and sessions.
 *
 * <p>Not thread-safe; a builder makes one pool per {@code build()}.
 *
 * @param <B> the builder itself, so that the settings chain
 */
public abstract sealed class PoolBuilder<B extends PoolBuilder<B>>
        permits EnvironmentPool.Builder, SessionPool.Builder {
    private int minIdle = 1;
    private int maxSize = 8;
    private int maxUses;
    private @Nullable Duration maxAge;
    private Duration acquireTimeout = Duration.ofSeconds(30);
    private WhenExhausted whenExhausted = WhenExhausted.WAIT;

    PoolBuilder() {}

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /** Members kept waiting, made ahead of need; default 1. */
    public B minIdle(int minIdle) {
        if (minIdle < 0) {
            throw new IllegalArgumentException("minIdle must not be negative: " + minIdle);
        }
        this.minIdle = minIdle;
        return self();
    }

    /** Members at most, lent and waiting together (unless {@code GROW}); default 8. */
    public B maxSize(int maxSize) {
        if (maxSize < 1) {
            throw new IllegalArgumentException("maxSize must be at least 1: " + maxSize);
        }
        this.maxSize = maxSize;
        return self();
    }

    /** Leases a member serves before it is retired; 0 (the default) for no limit. */
    public B maxUses(int maxUses) {
        if (maxUses < 0) {
            throw new IllegalArgumentException("maxUses must not be negative: " + maxUses);
        }
        this.maxUses = maxUses;
        return self();
    }

    /** Age after which a member is retired, waiting or when it comes back; null (the default) for no limit. */
    public B maxAge(@Nullable Duration maxAge) {
        if (maxAge != null && (maxAge.isNegative() || maxAge.isZero())) {
            throw new IllegalArgumentException("maxAge must be positive: " + maxAge);
        }
        this.maxAge = maxAge;
        return self();
    }

    /** How long acquiring waits with {@code WAIT}; default 30 s. */
    public B acquireTimeout(Duration acquireTimeout) {
        Objects.requireNonNull(acquireTimeout, "acquireTimeout");
        if (acquireTimeout.isNegative()) {
            throw new IllegalArgumentException("acquireTimeout must not be negative: " + acquireTimeout);
        }
        this.acquireTimeout = acquireTimeout;
        return self();
    }

    /** What acquiring does when all members are lent; default {@link WhenExhausted#WAIT}. */
    public B whenExhausted(WhenExhausted whenExhausted) {
        this.whenExhausted = Objects.requireNonNull(whenExhausted, "whenExhausted");
        return self();
    }

    /** The settings as the pool's machinery takes them; checks that they fit together. */
    final MemberPool.Limits limits() {
        return new MemberPool.Limits(minIdle, maxSize, maxUses, maxAge, acquireTimeout, whenExhausted);
    }
}
