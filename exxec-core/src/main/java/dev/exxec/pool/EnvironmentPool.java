package dev.exxec.pool;

import dev.exxec.Code;
import dev.exxec.Command;
import dev.exxec.ExecutionCancelledException;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.ExecutionResult;
import dev.exxec.Exxec;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
    private static final Logger LOG = LoggerFactory.getLogger(EnvironmentPool.class);

    /** What {@link #acquire()} does when {@code maxSize} environments are all lent. */
    public enum WhenExhausted {
        /** Wait for one to come back, up to the acquire timeout (the default). */
        WAIT,
        /** Fail at once with {@link PoolExhaustedException}. */
        FAIL,
        /** Make another beyond {@code maxSize}; it is closed when it comes back. */
        GROW
    }

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

    private final Supplier<ExecutionEnvironment> factory;
    private final String name;
    private final int minIdle;
    private final int maxSize;
    private final int maxUses;
    private final @Nullable Duration maxAge;
    private final Duration acquireTimeout;
    private final WhenExhausted whenExhausted;
    private final Reset reset;
    private final @Nullable Predicate<ExecutionEnvironment> healthCheck;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Deque<Member> idle = new ArrayDeque<>();
    private final List<Member> lent = new ArrayList<>();
    private int creating;
    private boolean closed;
    private long created;
    private long retired;
    private long leases;
    private @Nullable RuntimeException lastFailure;
    private final Thread keeper;

    private EnvironmentPool(Builder b) {
        this.factory = b.factory;
        this.name = b.name;
        this.minIdle = b.minIdle;
        this.maxSize = b.maxSize;
        this.maxUses = b.maxUses;
        this.maxAge = b.maxAge;
        this.acquireTimeout = b.acquireTimeout;
        this.whenExhausted = b.whenExhausted;
        this.reset = b.reset;
        this.healthCheck = b.healthCheck;
        this.keeper = Thread.ofVirtual().name("exxec-pool-" + name).start(this::keepWarm);
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

    /** An environment and what the pool knows of it. */
    private static final class Member {
        final ExecutionEnvironment environment;
        final long createdNanos = System.nanoTime();
        int uses;

        Member(ExecutionEnvironment environment) {
            this.environment = environment;
        }
    }

    // ---- lending

    /** Borrows an environment, waiting at most the pool's acquire timeout. */
    public Lease acquire() {
        return acquire(acquireTimeout);
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
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Member member = null;
            boolean make = false;
            lock.lock();
            try {
                while (true) {
                    if (closed) {
                        throw new IllegalStateException("the pool of " + name + " is closed");
                    }
                    member = idle.pollFirst();
                    if (member != null) {
                        lent.add(member);
                        break;
                    }
                    int size = lent.size() + creating;
                    if (size < maxSize || whenExhausted == WhenExhausted.GROW) {
                        creating++;
                        make = true;
                        break;
                    }
                    if (whenExhausted == WhenExhausted.FAIL) {
                        throw new PoolExhaustedException("all " + maxSize + " environments of the pool of " + name
                                + " are lent (maxSize " + maxSize + ", whenExhausted FAIL)");
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new PoolExhaustedException("no environment of the pool of " + name + " came free within "
                                + timeout.toMillis() + " ms: all " + maxSize + " are lent (maxSize " + maxSize + ")");
                    }
                    try {
                        changed.awaitNanos(left);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new ExecutionCancelledException("interrupted while waiting for an environment", e);
                    }
                }
            } finally {
                lock.unlock();
            }
            if (make) {
                Member made = create(m -> {
                    lent.add(m);
                    leases++;
                });
                made.uses++;
                return new Lease(made);
            }
            // A waiting environment: checked before it is lent, retired when it fails.
            String unfit = unfit(member);
            if (unfit == null) {
                lock.lock();
                try {
                    leases++;
                } finally {
                    lock.unlock();
                }
                member.uses++;
                return new Lease(member);
            }
            LOG.debug("retiring an environment of the pool of {}: {}", name, unfit);
            retire(member);
        }
    }

    /**
     * Makes and starts an environment, counted in {@code creating} until {@code then} files it
     * (under the lock, so that the pool's size never looks smaller than it is).
     */
    private Member create(java.util.function.Consumer<Member> then) {
        ExecutionEnvironment environment;
        try {
            environment = Objects.requireNonNull(factory.get(), "the pool's factory returned null");
        } catch (RuntimeException e) {
            lock.lock();
            try {
                creating--;
                lastFailure = e;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            throw e;
        }
        Member m = new Member(environment);
        lock.lock();
        try {
            creating--;
            created++;
            changed.signalAll();
            if (closed) {
                closeQuietly(environment);
                throw new IllegalStateException("the pool of " + name + " is closed");
            }
            then.accept(m);
            return m;
        } finally {
            lock.unlock();
        }
    }

    /** Why a waiting environment may not be lent, or null when it may. */
    private @Nullable String unfit(Member member) {
        if (member.environment.isClosed()) {
            return "it was closed";
        }
        if (maxAge != null && System.nanoTime() - member.createdNanos > maxAge.toNanos()) {
            return "older than maxAge " + maxAge;
        }
        if (healthCheck != null) {
            try {
                if (!healthCheck.test(member.environment)) {
                    return "it failed its health check";
                }
            } catch (RuntimeException e) {
                return "its health check threw " + e;
            }
        }
        return null;
    }

    /** Takes an environment back from a lease. */
    private void giveBack(Member member, boolean poisoned) {
        String why = null;
        if (poisoned) {
            why = "poisoned";
        } else if (member.environment.isClosed()) {
            why = "closed";
        } else if (maxUses > 0 && member.uses >= maxUses) {
            why = "served maxUses " + maxUses;
        } else if (maxAge != null && System.nanoTime() - member.createdNanos > maxAge.toNanos()) {
            why = "older than maxAge";
        } else if (reset == Reset.DISCARD) {
            why = "reset is DISCARD";
        }
        if (why == null) {
            lock.lock();
            try {
                if (closed || lent.size() + idle.size() + creating > maxSize) {
                    why = closed ? "the pool is closed" : "grown beyond maxSize";
                }
            } finally {
                lock.unlock();
            }
        }
        if (why == null && reset == Reset.WORKSPACE) {
            try {
                clean(member.environment);
            } catch (RuntimeException e) {
                why = "its reset failed: " + e.getMessage();
            }
        }
        if (why != null) {
            LOG.debug("retiring an environment of the pool of {}: {}", name, why);
            retire(member);
            return;
        }
        lock.lock();
        try {
            lent.remove(member);
            if (closed) {
                why = "the pool is closed";
            } else {
                idle.addFirst(member); // the warmest first
                changed.signalAll();
                return;
            }
        } finally {
            lock.unlock();
        }
        retire(member);
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

    /** Closes an environment that leaves the pool, on a virtual thread (closing can take a while). */
    private void retire(Member member) {
        lock.lock();
        try {
            lent.remove(member);
            idle.remove(member);
            retired++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        Thread.ofVirtual().name("exxec-pool-retire").start(() -> closeQuietly(member.environment));
    }

    private static void closeQuietly(ExecutionEnvironment env) {
        try {
            env.close();
        } catch (RuntimeException e) {
            LOG.warn("closing a pooled environment failed: {}", e.toString());
        }
    }

    // ---- keeping warm

    /** Keeps {@code minIdle} environments waiting, and retires waiting ones past {@code maxAge}. */
    private void keepWarm() {
        long backoff = 0;
        while (true) {
            boolean make = false;
            List<Member> old = new ArrayList<>();
            lock.lock();
            try {
                if (closed) {
                    return;
                }
                if (maxAge != null) {
                    for (Member m : idle) {
                        if (System.nanoTime() - m.createdNanos > maxAge.toNanos()) {
                            old.add(m);
                        }
                    }
                }
                int size = idle.size() + lent.size() + creating - old.size();
                if (old.isEmpty() && idle.size() + creating < minIdle && size < maxSize && backoff == 0) {
                    creating++;
                    make = true;
                } else if (old.isEmpty()) {
                    try {
                        changed.await(backoff > 0 ? backoff : 1000, TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        return;
                    }
                    backoff = 0;
                    continue;
                }
            } finally {
                lock.unlock();
            }
            old.forEach(this::retire);
            if (make) {
                try {
                    create(idle::addLast);
                } catch (RuntimeException e) {
                    lock.lock();
                    try {
                        if (closed) {
                            return;
                        }
                    } finally {
                        lock.unlock();
                    }
                    LOG.warn("the pool of {} could not make an environment ahead of need: {}", name, e.getMessage());
                    backoff = 2000; // not in a tight loop against a failing provider
                }
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
        lock.lock();
        try {
            return new PoolStats(idle.size(), lent.size(), creating, created, retired, leases, lastFailure);
        } finally {
            lock.unlock();
        }
    }

    /** Closes every environment, lent ones too; acquiring afterwards throws. Idempotent. */
    @Override
    public void close() {
        List<Member> all = new ArrayList<>();
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            all.addAll(idle);
            all.addAll(lent);
            idle.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        keeper.interrupt();
        all.parallelStream().forEach(m -> closeQuietly(m.environment));
    }

    @Override
    public String toString() {
        return "EnvironmentPool[" + name + ", " + stats() + "]";
    }

    /**
     * One environment lent to one holder: {@link #environment()} for as long as the lease lasts, then
     * {@link #close()} gives it back (or {@link #discard()} retires it).
     */
    public final class Lease implements AutoCloseable {
        private final Member member;
        private final LeasedEnvironment view;
        private boolean ended;

        private Lease(Member member) {
            this.member = member;
            this.view = new LeasedEnvironment(member.environment);
        }

        /** The environment, for this holder only; unusable once the lease ended. */
        public ExecutionEnvironment environment() {
            return view;
        }

        /** Ends the lease and retires the environment instead of giving it back. */
        public void discard() {
            view.poison();
            close();
        }

        /** Whether something happened that keeps the environment from being lent again. */
        public boolean poisoned() {
            return view.poisoned();
        }

        /**
         * Gives the environment back, or retires it when it was poisoned; returns at once, the reset
         * (or the retiring) goes on in the background and the environment waits for the next holder
         * once it is done.
         */
        @Override
        public synchronized void close() {
            if (ended) {
                return;
            }
            ended = true;
            view.end();
            boolean poisoned = view.poisoned();
            Thread.ofVirtual().name("exxec-pool-return").start(() -> giveBack(member, poisoned));
        }
    }

    /** Configuration of a pool. */
    public static final class Builder {
        private final Supplier<ExecutionEnvironment> factory;
        private final String name;
        private int minIdle = 1;
        private int maxSize = 8;
        private int maxUses;
        private @Nullable Duration maxAge;
        private Duration acquireTimeout = Duration.ofSeconds(30);
        private WhenExhausted whenExhausted = WhenExhausted.WAIT;
        private Reset reset = Reset.WORKSPACE;
        private @Nullable Predicate<ExecutionEnvironment> healthCheck = EnvironmentPool::alive;

        private Builder(Supplier<ExecutionEnvironment> factory, String name) {
            this.factory = Objects.requireNonNull(factory, "factory");
            this.name = name;
        }

        /** Environments kept waiting, made ahead of need; default 1. */
        public Builder minIdle(int minIdle) {
            if (minIdle < 0) {
                throw new IllegalArgumentException("minIdle must not be negative: " + minIdle);
            }
            this.minIdle = minIdle;
            return this;
        }

        /** Environments at most, lent and waiting together (unless {@code GROW}); default 8. */
        public Builder maxSize(int maxSize) {
            if (maxSize < 1) {
                throw new IllegalArgumentException("maxSize must be at least 1: " + maxSize);
            }
            this.maxSize = maxSize;
            return this;
        }

        /** Leases an environment serves before it is retired; 0 (the default) for no limit. */
        public Builder maxUses(int maxUses) {
            if (maxUses < 0) {
                throw new IllegalArgumentException("maxUses must not be negative: " + maxUses);
            }
            this.maxUses = maxUses;
            return this;
        }

        /** Age after which an environment is retired; null (the default) for no limit. */
        public Builder maxAge(@Nullable Duration maxAge) {
            this.maxAge = maxAge;
            return this;
        }

        /** How long {@link EnvironmentPool#acquire()} waits with {@code WAIT}; default 30 s. */
        public Builder acquireTimeout(Duration acquireTimeout) {
            this.acquireTimeout = Objects.requireNonNull(acquireTimeout, "acquireTimeout");
            return this;
        }

        /** What acquiring does when all environments are lent; default {@code WAIT}. */
        public Builder whenExhausted(WhenExhausted whenExhausted) {
            this.whenExhausted = Objects.requireNonNull(whenExhausted, "whenExhausted");
            return this;
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

        /** Starts the pool; environments are made ahead of need from now on. */
        public EnvironmentPool build() {
            if (minIdle > maxSize) {
                throw new IllegalArgumentException("minIdle " + minIdle + " is more than maxSize " + maxSize);
            }
            return new EnvironmentPool(this);
        }
    }

    private static boolean alive(ExecutionEnvironment env) {
        return !env.isClosed();
    }
}
