package dev.exxec.pool.internal;

import dev.exxec.ExecutionCancelledException;
import dev.exxec.pool.PoolExhaustedException;
import dev.exxec.pool.PoolStats;
import dev.exxec.pool.WhenExhausted;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lending machinery every pool shares, whatever it lends (environments, sessions): members made
 * ahead of need, lent one holder at a time, checked before they are lent, recycled or retired when
 * they come back, closed with the pool. What a member is, how it is made, checked, recycled and
 * closed is the {@link Members} a pool gives.
 *
 * <p>Thread-safe.
 */
public final class MemberPool<T> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MemberPool.class);

    /**
     * The knobs every pool has.
     *
     * @param minIdle members kept waiting, made ahead of need
     * @param maxSize members at most, lent and waiting together (unless {@code GROW})
     * @param maxUses leases a member serves before it is retired; 0 for no limit
     * @param maxAge age after which a member is retired; null for no limit
     * @param acquireTimeout how long acquiring waits with {@code WAIT}
     * @param whenExhausted what acquiring does when all members are lent
     */
    public record Limits(
            int minIdle,
            int maxSize,
            int maxUses,
            @Nullable Duration maxAge,
            Duration acquireTimeout,
            WhenExhausted whenExhausted) {
        public Limits {
            if (minIdle < 0) {
                throw new IllegalArgumentException("minIdle must not be negative: " + minIdle);
            }
            if (maxSize < 1) {
                throw new IllegalArgumentException("maxSize must be at least 1: " + maxSize);
            }
            if (minIdle > maxSize) {
                throw new IllegalArgumentException("minIdle " + minIdle + " is more than maxSize " + maxSize);
            }
            if (maxUses < 0) {
                throw new IllegalArgumentException("maxUses must not be negative: " + maxUses);
            }
            if (maxAge != null && (maxAge.isNegative() || maxAge.isZero())) {
                throw new IllegalArgumentException("maxAge must be positive: " + maxAge);
            }
            Objects.requireNonNull(acquireTimeout, "acquireTimeout");
            if (acquireTimeout.isNegative()) {
                throw new IllegalArgumentException("acquireTimeout must not be negative: " + acquireTimeout);
            }
            Objects.requireNonNull(whenExhausted, "whenExhausted");
        }
    }

    /** What a pool lends, and how it makes, checks, recycles and closes one. */
    public interface Members<T> {
        /** Makes and starts a member; throws when it cannot. */
        T make();

        /** Whether the member was closed behind the pool's back. */
        boolean isClosed(T member);

        /** Why a waiting member may not be lent (its health check failed), or null when it may. */
        @Nullable
        String unfit(T member);

        /**
         * Makes a member that came back, unpoisoned and within its limits, fit for the next holder,
         * or says why it must be retired instead (null: keep it). May throw: it is retired then.
         */
        @Nullable
        String recycle(T member);

        /** Closes a member that leaves the pool. */
        void close(T member);
    }

    /** A member and what the pool knows of it. */
    public static final class Member<T> {
        private final T value;
        private final long createdNanos = System.nanoTime();
        private int uses;

        private Member(T value) {
            this.value = value;
        }

        /** What the pool lends. */
        public T value() {
            return value;
        }
    }

    private final String name;
    private final String noun;
    private final Limits limits;
    private final Members<T> members;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Deque<Member<T>> idle = new ArrayDeque<>();
    private final List<Member<T>> lent = new ArrayList<>();
    private int creating;
    private boolean closed;
    private long created;
    private long retired;
    private long leases;
    private @Nullable RuntimeException lastFailure;
    private final Thread keeper;

    /**
     * Starts a pool; members are made ahead of need from now on.
     *
     * @param name the pool's name in messages and thread names ({@code "docker"})
     * @param noun what a member is called in messages ({@code "environment"})
     */
    public MemberPool(String name, String noun, Limits limits, Members<T> members) {
        this.name = Objects.requireNonNull(name, "name");
        this.noun = Objects.requireNonNull(noun, "noun");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.members = Objects.requireNonNull(members, "members");
        this.keeper = Thread.ofVirtual().name("exxec-pool-" + name).start(this::keepWarm);
    }

    /** The pool's default acquire timeout. */
    public Duration acquireTimeout() {
        return limits.acquireTimeout();
    }

    // ---- lending

    /**
     * Borrows a member: a waiting one that is fit, else a new one.
     *
     * @throws PoolExhaustedException when none came free in time (or at once, with {@code FAIL})
     * @throws IllegalStateException when the pool is closed
     * @throws dev.exxec.ExxecException when a new member could not be made
     * @throws ExecutionCancelledException when the calling thread is interrupted
     */
    public Member<T> acquire(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int maxSize = limits.maxSize();
        while (true) {
            Member<T> member = null;
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
                    if (size < maxSize || limits.whenExhausted() == WhenExhausted.GROW) {
                        creating++;
                        make = true;
                        break;
                    }
                    if (limits.whenExhausted() == WhenExhausted.FAIL) {
                        throw new PoolExhaustedException("all " + maxSize + " " + noun + "s of the pool of " + name
                                + " are lent (maxSize " + maxSize + ", whenExhausted FAIL)");
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new PoolExhaustedException("no " + noun + " of the pool of " + name + " came free within "
                                + timeout.toMillis() + " ms: all " + maxSize + " are lent (maxSize " + maxSize + ")");
                    }
                    try {
                        changed.awaitNanos(left);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new ExecutionCancelledException("interrupted while waiting for " + article() + noun, e);
                    }
                }
            } finally {
                lock.unlock();
            }
            if (make) {
                Member<T> made = create(m -> {
                    lent.add(m);
                    leases++;
                });
                made.uses++;
                return made;
            }
            // A waiting member: checked before it is lent, retired when it fails.
            String unfit = unfit(member);
            if (unfit == null) {
                lock.lock();
                try {
                    leases++;
                } finally {
                    lock.unlock();
                }
                member.uses++;
                return member;
            }
            LOG.debug("retiring {}{} of the pool of {}: {}", article(), noun, name, unfit);
            retire(member);
        }
    }

    private String article() {
        return "aeiou".indexOf(noun.charAt(0)) >= 0 ? "an " : "a ";
    }

    /**
     * Makes and starts a member, counted in {@code creating} until {@code then} files it (under the
     * lock, so that the pool's size never looks smaller than it is).
     */
    private Member<T> create(Consumer<Member<T>> then) {
        T value;
        try {
            value = Objects.requireNonNull(members.make(), "the pool's factory returned null");
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
        Member<T> m = new Member<>(value);
        lock.lock();
        try {
            creating--;
            created++;
            changed.signalAll();
            if (closed) {
                closeQuietly(value);
                throw new IllegalStateException("the pool of " + name + " is closed");
            }
            then.accept(m);
            return m;
        } finally {
            lock.unlock();
        }
    }

    private boolean tooOld(Member<T> member) {
        Duration maxAge = limits.maxAge();
        return maxAge != null && System.nanoTime() - member.createdNanos > maxAge.toNanos();
    }

    /** Why a waiting member may not be lent, or null when it may. */
    private @Nullable String unfit(Member<T> member) {
        if (members.isClosed(member.value)) {
            return "it was closed";
        }
        if (tooOld(member)) {
            return "older than maxAge " + limits.maxAge();
        }
        try {
            return members.unfit(member.value);
        } catch (RuntimeException e) {
            return "its health check threw " + e;
        }
    }

    /**
     * Takes a member back from its holder; returns at once, the recycling (or the retiring) goes on
     * in the background and the member waits for the next holder once it is done.
     *
     * @param poisoned whether something happened that keeps it from being lent again
     */
    public void release(Member<T> member, boolean poisoned) {
        Thread.ofVirtual().name("exxec-pool-return").start(() -> giveBack(member, poisoned));
    }

    private void giveBack(Member<T> member, boolean poisoned) {
        String why = null;
        if (poisoned) {
            why = "poisoned";
        } else if (members.isClosed(member.value)) {
            why = "closed";
        } else if (limits.maxUses() > 0 && member.uses >= limits.maxUses()) {
            why = "served maxUses " + limits.maxUses();
        } else if (tooOld(member)) {
            why = "older than maxAge";
        }
        if (why == null) {
            lock.lock();
            try {
                if (closed || lent.size() + idle.size() + creating > limits.maxSize()) {
                    why = closed ? "the pool is closed" : "grown beyond maxSize";
                }
            } finally {
                lock.unlock();
            }
        }
        if (why == null) {
            try {
                why = members.recycle(member.value);
            } catch (RuntimeException e) {
                why = "its reset failed: " + e.getMessage();
            }
        }
        if (why == null) {
            lock.lock();
            try {
                lent.remove(member);
                if (!closed) {
                    idle.addFirst(member); // the warmest first
                    changed.signalAll();
                    return;
                }
                why = "the pool is closed";
            } finally {
                lock.unlock();
            }
        }
        LOG.debug("retiring {}{} of the pool of {}: {}", article(), noun, name, why);
        retire(member);
    }

    /** Closes a member that leaves the pool, on a virtual thread (closing can take a while). */
    private void retire(Member<T> member) {
        lock.lock();
        try {
            lent.remove(member);
            idle.remove(member);
            retired++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        Thread.ofVirtual().name("exxec-pool-retire").start(() -> closeQuietly(member.value));
    }

    private void closeQuietly(T value) {
        try {
            members.close(value);
        } catch (RuntimeException e) {
            LOG.warn("closing a pooled {} failed: {}", noun, e.toString());
        }
    }

    // ---- keeping warm

    /** Keeps {@code minIdle} members waiting, and retires waiting ones past {@code maxAge}. */
    private void keepWarm() {
        long backoff = 0;
        while (true) {
            boolean make = false;
            List<Member<T>> old = new ArrayList<>();
            lock.lock();
            try {
                if (closed) {
                    return;
                }
                for (Member<T> m : idle) {
                    if (tooOld(m)) {
                        old.add(m);
                    }
                }
                int size = idle.size() + lent.size() + creating - old.size();
                if (old.isEmpty()
                        && idle.size() + creating < limits.minIdle()
                        && size < limits.maxSize()
                        && backoff == 0) {
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
                    LOG.warn(
                            "the pool of {} could not make {}{} ahead of need: {}",
                            name,
                            article(),
                            noun,
                            e.getMessage());
                    backoff = 2000; // not in a tight loop against a failing provider
                }
            }
        }
    }

    // ---- the whole pool

    /** How many members wait, are lent, and were made and retired so far. */
    public PoolStats stats() {
        lock.lock();
        try {
            return new PoolStats(idle.size(), lent.size(), creating, created, retired, leases, lastFailure);
        } finally {
            lock.unlock();
        }
    }

    /** Closes every member, lent ones too; acquiring afterwards throws. Idempotent. */
    @Override
    public void close() {
        List<Member<T>> all = new ArrayList<>();
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
        all.parallelStream().forEach(m -> closeQuietly(m.value));
    }

    @Override
    public String toString() {
        return name + ", " + stats();
    }
}
