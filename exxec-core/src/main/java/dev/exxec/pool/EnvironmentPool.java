package dev.exxec.pool;

import dev.exxec.Code;
import dev.exxec.Command;
import dev.exxec.ExecutionCancelledException;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.ExecutionResult;
import dev.exxec.Exxec;
import dev.exxec.pool.internal.MemberPool;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A warm pool of environments of any provider: environments are made ahead of need (at least {@code
 * minIdle} of them wait), lent one caller at a time, reset and taken back, and retired when they
 * have served {@code maxUses} leases, grown older than {@code maxAge}, failed their health check,
 * or were poisoned: a call that timed out or an environment that failed is never lent again.
 *
 * {@snippet :
 * try (EnvironmentPool pool = EnvironmentPool.builder("docker", Map.of()).minIdle(2).maxSize(8).build()) {
 *     try (EnvironmentPool.Lease lease = pool.acquire()) {
 *         lease.environment().execute("_result = 6 * 7").result(); // 42
 *     }
 *     pool.execute(Code.python("_result = 1")); // acquire, execute, release
 * }
 * }
 *
 * <p>Thread-safe. A lease's environment is for its holder alone: after the lease ends, every use of
 * it throws {@link IllegalStateException}, so no caller sees another's files or results. Closing the
 * pool closes every environment, lent ones too.
 */
public final class EnvironmentPool implements AutoCloseable {

    /** What happens to an environment that comes back. */
    public enum Reset {
        /**
         * Background processes and terminals are killed and the workspace emptied (the default): the
         * next holder finds it as new.
         */
        WORKSPACE,
        /** Nothing: the next holder sees what the last one left (for callers that share on purpose). */
        NONE,
        /** It is closed: every lease gets a fresh environment (made ahead of need). */
        DISCARD
    }

    private final MemberPool<ExecutionEnvironment> pool;

    private EnvironmentPool(Builder b) {
        Reset reset = b.reset;
        Predicate<ExecutionEnvironment> healthCheck = b.healthCheck;
        Supplier<ExecutionEnvironment> factory = b.factory;
        this.pool = new MemberPool<>(b.name, "environment", b.limits(), new MemberPool.Members<>() {
            @Override
            public ExecutionEnvironment make() {
                return factory.get();
            }

            @Override
            public boolean isClosed(ExecutionEnvironment env) {
                return env.isClosed();
            }

            @Override
            public @Nullable String unfit(ExecutionEnvironment env) {
                return healthCheck == null || healthCheck.test(env) ? null : "it failed its health check";
            }

            @Override
            public @Nullable String recycle(ExecutionEnvironment env) {
                return switch (reset) {
                    case WORKSPACE -> {
                        clean(env);
                        yield null;
                    }
                    case NONE -> null;
                    case DISCARD -> "reset is DISCARD";
                };
            }

            @Override
            public void close(ExecutionEnvironment env) {
                env.close();
            }
        });
    }

    /** A pool of environments that {@code factory} makes (each call makes and starts one). */
    public static Builder builder(Supplier<ExecutionEnvironment> factory) {
        return new Builder(factory, "environments");
    }

    /** A pool of environments of a provider with a configuration ({@link Exxec#environment(String, Map)}). */
    public static Builder builder(String providerId, Map<String, ?> config) {
        Map<String, ?> copy = Map.copyOf(config);
        return new Builder(() -> Exxec.environment(providerId, copy), providerId);
    }

    // ---- lending

    /** Borrows an environment, waiting at most the pool's acquire timeout. */
    public Lease acquire() {
        return acquire(pool.acquireTimeout());
    }

    /**
     * Borrows an environment: a waiting one that is healthy, else a new one.
     *
     * @throws PoolExhaustedException when none came free in time (or at once, with {@code FAIL})
     * @throws IllegalStateException when the pool is closed
     * @throws dev.exxec.ExxecException when a new environment could not be made
     * @throws ExecutionCancelledException when the calling thread is interrupted
     */
    public Lease acquire(Duration timeout) {
        return new Lease(pool.acquire(timeout));
    }

    /** Kills background processes and terminals, and empties the workspace. */
    private static void clean(ExecutionEnvironment env) {
        var caps = env.capabilities();
        if (caps.processes()) {
            env.processes().list().forEach(p -> p.kill());
        }
        if (caps.terminals()) {
            env.terminals().list().forEach(t -> t.kill());
        }
        if (caps.files()) {
            for (var entry : env.files().list(".")) {
                env.files().delete(entry.name());
            }
        }
    }

    // ---- conveniences

    /** Borrows an environment, runs code in it, and gives it back. */
    public ExecutionResult execute(Code code) {
        try (Lease lease = acquire()) {
            return lease.environment().execute(code);
        }
    }

    /** Borrows an environment, runs a command in it, and gives it back. */
    public ExecutionResult executeCommand(Command command) {
        try (Lease lease = acquire()) {
            return lease.environment().executeCommand(command);
        }
    }

    /** How many environments wait, are lent, and were made and retired so far. */
    public PoolStats stats() {
        return pool.stats();
    }

    /** Closes every environment, lent ones too; acquiring afterwards throws. Idempotent. */
    @Override
    public void close() {
        pool.close();
    }

    @Override
    public String toString() {
        return "EnvironmentPool[" + pool + "]";
    }

    /**
     * One environment lent to one holder: {@link #environment()} for as long as the lease lasts, then
     * {@link #close()} gives it back (or {@link #discard()} retires it).
     */
    public final class Lease extends PoolLease<ExecutionEnvironment> {
        private final LeasedEnvironment view;

        private Lease(MemberPool.Member<ExecutionEnvironment> member) {
            this(member, new LeasedEnvironment(member.value()));
        }

        private Lease(MemberPool.Member<ExecutionEnvironment> member, LeasedEnvironment view) {
            super(pool, member, view);
            this.view = view;
        }

        /** The environment, for this holder only; unusable once the lease ended. */
        public ExecutionEnvironment environment() {
            return view;
        }
    }

    /** Configuration of a pool of environments: the {@linkplain PoolBuilder shared settings}, reset and health check. */
    public static final class Builder extends PoolBuilder<Builder> {
        private final Supplier<ExecutionEnvironment> factory;
        private final String name;
        private Reset reset = Reset.WORKSPACE;
        private @Nullable Predicate<ExecutionEnvironment> healthCheck = env -> !env.isClosed();

        private Builder(Supplier<ExecutionEnvironment> factory, String name) {
            this.factory = Objects.requireNonNull(factory, "factory");
            this.name = name;
        }

        /** What happens to an environment that comes back; default {@code WORKSPACE}. */
        public Builder reset(Reset reset) {
            this.reset = Objects.requireNonNull(reset, "reset");
            return this;
        }

        /**
         * The check a waiting environment passes before it is lent; null for none. The default only
         * asks whether it is still open, which costs nothing; a stricter one (running a command)
         * costs a call per lease.
         */
        public Builder healthCheck(@Nullable Predicate<ExecutionEnvironment> healthCheck) {
            this.healthCheck = healthCheck;
            return this;
        }

        /**
         * Starts the pool; environments are made ahead of need from now on.
         *
         * @throws IllegalArgumentException when {@code minIdle} is more than {@code maxSize}
         */
        public EnvironmentPool build() {
            return new EnvironmentPool(this);
        }
    }
}
