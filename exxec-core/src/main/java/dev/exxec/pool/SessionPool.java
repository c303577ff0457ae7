package dev.exxec.pool;

import dev.exxec.Code;
import dev.exxec.CodeSession;
import dev.exxec.EnvironmentStartException;
import dev.exxec.ExecutionCancelledException;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.ExecutionResult;
import dev.exxec.Exxec;
import dev.exxec.Language;
import dev.exxec.UnsupportedCapabilityException;
import dev.exxec.pool.internal.MemberPool;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A warm pool of {@linkplain CodeSession sessions} of one language: interpreters started ahead of
 * need (at least {@code minIdle} of them wait, each having answered a first call), lent one
 * holder at a time, and retired when they have served {@code maxUses} leases, grown older than
 * {@code maxAge}, failed their health check, or were poisoned.
 *
 * {@snippet :
 * try (ExecutionEnvironment env = Exxec.environment("local", Map.of());
 *         SessionPool pool = SessionPool.builder(env, Language.PYTHON).minIdle(4).maxSize(16).build()) {
 *     try (SessionPool.Lease lease = pool.acquire()) {
 *         lease.session().execute("import json");
 *         lease.session().execute("_result = json.dumps([1, 2])").result(); // "[1, 2]"
 *     }
 *     pool.execute("_result = 6 * 7").result(); // 42: acquire, execute, release
 * }
 * }
 *
 * <h2>What happens to a session after its lease</h2>
 *
 * By default ({@link Reset#DISCARD}) a session serves one lease: when it comes back its interpreter
 * is closed, and every lease gets an interpreter that nobody used before, started ahead of need. No
 * holder ever sees another's globals, imports or half-finished state; the cost is one interpreter
 * start per lease, paid in the background. A session cannot be reset in place: clearing globals does
 * not undo imports, patched modules, threads or changed process state, so there is no such option.
 * {@link Reset#NONE} keeps the interpreter as the last holder left it, for callers that share state
 * on purpose (one tenant, a cache of imports); {@code maxUses} and {@code maxAge} bound how long.
 *
 * <h2>Where sessions live</h2>
 *
 * {@link #builder(ExecutionEnvironment, Language)} opens every session in one environment that the
 * caller owns: the sessions share its workspace, background processes and limits, and the pool never
 * closes it. {@link #builder(Supplier, Language)} and {@link #builder(String, Map, Language)} give
 * every session an environment of its own, closed with the session: holders then share no files
 * either.
 *
 * <h2>Poisoned sessions</h2>
 *
 * A session whose call timed out (whether or not the interpreter kept its state), was cancelled, hit
 * an output or resource limit, or whose interpreter died is never lent again, nor is one that fails
 * its health check before hand-out, nor one the holder {@linkplain Lease#discard() discards}.
 *
 * <p>Thread-safe. A lease's session is for its holder alone: after the lease ends every call throws
 * {@link IllegalStateException}. Closing the pool closes every session (and the environments it
 * made), lent ones too.
 */
public final class SessionPool implements AutoCloseable {

    /** What happens to a session that comes back. */
    public enum Reset {
        /** Its interpreter is closed: every lease gets one nobody used (the default). */
        DISCARD,
        /** Nothing: the next holder sees the globals the last one left (for callers that share on purpose). */
        NONE
    }

    /** A session and the environment it was opened in, when that environment is the session's own. */
    private static final class Member {
        final CodeSession session;
        final @Nullable ExecutionEnvironment own;
        final AtomicBoolean closed = new AtomicBoolean();

        Member(CodeSession session, @Nullable ExecutionEnvironment own) {
            this.session = session;
            this.own = own;
        }

        void close() {
            if (closed.compareAndSet(false, true)) {
                try {
                    session.close();
                } finally {
                    if (own != null) {
                        own.close();
                    }
                }
            }
        }
    }

    private final Language language;
    private final MemberPool<Member> pool;

    private SessionPool(Builder b) {
        this.language = b.language;
        Reset reset = b.reset;
        Predicate<CodeSession> healthCheck = b.healthCheck;
        Builder settings = b;
        this.pool = new MemberPool<>(b.name, "session", b.limits(), new MemberPool.Members<>() {
            @Override
            public Member make() {
                return settings.open();
            }

            @Override
            public boolean isClosed(Member member) {
                return member.closed.get() || (member.own != null && member.own.isClosed());
            }

            @Override
            public @Nullable String unfit(Member member) {
                return healthCheck == null || healthCheck.test(member.session) ? null : "it failed its health check";
            }

            @Override
            public @Nullable String recycle(Member member) {
                return switch (reset) {
                    case DISCARD -> "reset is DISCARD";
                    case NONE -> null;
                };
            }

            @Override
            public void close(Member member) {
                member.close();
            }
        });
    }

    /**
     * A pool of sessions opened in {@code environment}, which the caller keeps owning: the sessions
     * share its workspace, and the pool never closes it.
     */
    public static Builder builder(ExecutionEnvironment environment, Language language) {
        Objects.requireNonNull(environment, "environment");
        return new Builder(language, environment.id() + "-" + name(language), environment, null);
    }

    /**
     * A pool of sessions each opened in an environment of its own that {@code factory} makes (each
     * call makes and starts one); the environment is closed with its session.
     */
    public static Builder builder(Supplier<ExecutionEnvironment> factory, Language language) {
        Objects.requireNonNull(factory, "factory");
        return new Builder(language, "sessions-" + name(language), null, factory);
    }

    /**
     * A pool of sessions each opened in an environment of its own of a provider with a configuration
     * ({@link Exxec#environment(String, Map)}); the environment is closed with its session.
     */
    public static Builder builder(String providerId, Map<String, ?> config, Language language) {
        Map<String, ?> copy = Map.copyOf(config);
        return new Builder(
                language, providerId + "-" + name(language), null, () -> Exxec.environment(providerId, copy));
    }

    private static String name(Language language) {
        return language.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The language every session of the pool runs. */
    public Language language() {
        return language;
    }

    // ---- lending

    /** Borrows a session, waiting at most the pool's acquire timeout. */
    public Lease acquire() {
        return acquire(pool.acquireTimeout());
    }

    /**
     * Borrows a session: a waiting one that is healthy, else a new one (which costs an interpreter
     * start).
     *
     * @throws PoolExhaustedException when none came free in time (or at once, with {@code FAIL})
     * @throws IllegalStateException when the pool is closed
     * @throws dev.exxec.ExxecException when a new session could not be started
     * @throws ExecutionCancelledException when the calling thread is interrupted
     */
    public Lease acquire(Duration timeout) {
        return new Lease(pool.acquire(timeout));
    }

    /** Borrows a session, runs code in it, and gives it back. */
    public ExecutionResult execute(Code code) {
        try (Lease lease = acquire()) {
            return lease.session().execute(code);
        }
    }

    /** Borrows a session, runs source in it with the environment's default deadline, and gives it back. */
    public ExecutionResult execute(String source) {
        return execute(Code.of(language, source));
    }

    /** How many sessions wait, are lent, and were started and retired so far. */
    public PoolStats stats() {
        return pool.stats();
    }

    /** Closes every session (and every environment the pool made), lent ones too; idempotent. */
    @Override
    public void close() {
        pool.close();
    }

    @Override
    public String toString() {
        return "SessionPool[" + pool + "]";
    }

    /**
     * One session lent to one holder: {@link #session()} for as long as the lease lasts, then {@link
     * #close()} gives it back (or {@link #discard()} retires it).
     */
    public final class Lease extends PoolLease<Member> {
        private final LeasedSession view;

        private Lease(MemberPool.Member<Member> member) {
            this(member, new LeasedSession(member.value().session));
        }

        private Lease(MemberPool.Member<Member> member, LeasedSession view) {
            super(pool, member, view);
            this.view = view;
        }

        /** The session, for this holder only; unusable once the lease ended. Its {@code close()} does nothing. */
        public CodeSession session() {
            return view;
        }
    }

    /**
     * Configuration of a pool of sessions: the {@linkplain PoolBuilder shared settings}, reset and
     * health check.
     */
    public static final class Builder extends PoolBuilder<Builder> {
        private static final Duration FIRST_CALL = Duration.ofSeconds(30);
        private static final Duration PING = Duration.ofSeconds(5);
        /** A global the first call sets and the default health check reads. */
        static final String SENTINEL = "__exxec_pool__";

        private final Language language;
        private final String name;
        private final @Nullable ExecutionEnvironment shared;
        private final @Nullable Supplier<ExecutionEnvironment> factory;
        private Reset reset = Reset.DISCARD;
        private @Nullable Predicate<CodeSession> healthCheck = this::ping;

        private Builder(
                Language language,
                String name,
                @Nullable ExecutionEnvironment shared,
                @Nullable Supplier<ExecutionEnvironment> factory) {
            this.language = Objects.requireNonNull(language, "language");
            this.name = name;
            this.shared = shared;
            this.factory = factory;
            if (language == Language.TYPESCRIPT) {
                throw new UnsupportedCapabilityException(
                        "TypeScript sessions are not supported: pool JavaScript sessions instead");
            }
        }

        /** What happens to a session that comes back; default {@link Reset#DISCARD}. */
        public Builder reset(Reset reset) {
            this.reset = Objects.requireNonNull(reset, "reset");
            return this;
        }

        /**
         * The check a waiting session passes before it is lent; null for none. The default reads back,
         * within 5 s, the global {@code __exxec_pool__} that the session's first call set: one round
         * trip to a warm interpreter (well under a millisecond locally), which catches an interpreter
         * that hangs, or that died while it waited (its next call would start a new one silently,
         * with the state gone). A holder that deletes the global gets its session retired.
         */
        public Builder healthCheck(@Nullable Predicate<CodeSession> healthCheck) {
            this.healthCheck = healthCheck;
            return this;
        }

        /**
         * Starts the pool; sessions are started ahead of need from now on.
         *
         * @throws IllegalArgumentException when {@code minIdle} is more than {@code maxSize}
         * @throws UnsupportedCapabilityException when the shared environment has no sessions of the
         *     language
         */
        public SessionPool build() {
            if (shared != null) {
                if (!shared.capabilities().sessions()) {
                    throw new UnsupportedCapabilityException(
                            "environment " + shared.id() + " (" + shared.providerId() + ") has no sessions");
                }
                if (!shared.capabilities().supports(language)) {
                    throw new UnsupportedCapabilityException(
                            "environment " + shared.id() + " (" + shared.providerId() + ") does not run " + language);
                }
            }
            return new SessionPool(this);
        }

        /**
         * Whether the interpreter still holds what its first call left: an interpreter that died
         * while it waited would be restarted silently by its next call, with its state gone.
         */
        private boolean ping(CodeSession session) {
            String source = language == Language.PYTHON ? "_result = " + SENTINEL : "_result = globalThis." + SENTINEL;
            ExecutionResult r = session.execute(Code.of(language, source).withTimeout(PING));
            return r.success() && Integer.valueOf(1).equals(r.result());
        }

        /** The first call: starts the interpreter and leaves the sentinel the health check looks for. */
        private String first() {
            return language == Language.PYTHON ? SENTINEL + " = 1" : "globalThis." + SENTINEL + " = 1";
        }

        /** Opens a session (in an environment of its own when there is a factory) and makes its first call. */
        private Member open() {
            ExecutionEnvironment env = shared != null
                    ? shared
                    : Objects.requireNonNull(
                            Objects.requireNonNull(factory).get(), "the pool's environment factory returned null");
            ExecutionEnvironment own = shared != null ? null : env;
            Member member;
            try {
                member = new Member(env.session(language), own);
            } catch (RuntimeException e) {
                if (own != null) {
                    own.close();
                }
                throw e;
            }
            try {
                // Sessions start their interpreter on the first call: make it now, ahead of need.
                ExecutionResult first =
                        member.session.execute(Code.of(language, first()).withTimeout(FIRST_CALL));
                if (!first.success()) {
                    throw new EnvironmentStartException("a pooled " + language + " session did not answer its first"
                            + " call: " + first.errorType() + ": " + first.error());
                }
                return member;
            } catch (RuntimeException e) {
                member.close();
                throw e;
            }
        }
    }
}
