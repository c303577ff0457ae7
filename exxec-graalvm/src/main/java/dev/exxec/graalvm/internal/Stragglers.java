package dev.exxec.graalvm.internal;

import dev.exxec.LimitExceededException;
import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The calls whose deadline (or cancellation) came while their thread was in guest code that does not
 * stop when its context is cancelled. Truffle stops a program at its safepoints, and an operation such
 * as big-integer arithmetic has none until it returns: Python's {@code 7 ** 200000000} or
 * JavaScript's {@code 7n ** 200000000n} is one {@code java.math.BigInteger.pow} of several minutes.
 * Such a call is taken out of service (see {@link ContextRun}): its result is given at once and a
 * fresh thread takes its place, while the old one finishes the operation, burning a CPU core, and
 * closes its context when it comes back. They are counted per provider (the CPU is the JVM's), and
 * each call checks the count against its environment's cap ({@code maxStuck}): at the cap, a new call
 * waits {@link #ROOM_WAIT} for one to come back (a cancellation slowed by a busy machine takes a
 * moment more, and it is counted too), then is refused. Thread-safe; a waiting virtual thread does
 * not pin its carrier.
 */
public final class Stragglers {
    /** How long a call waits at the cap for one to come back before it is refused. */
    static final Duration ROOM_WAIT = Duration.ofSeconds(1);

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition fewer = lock.newCondition();
    private int running;

    /**
     * The default cap: twice the number of CPUs, at least 4, so that a stuck call of each language
     * (and a few more) leaves the JVM serving; each holds a core and its context's memory until its
     * arithmetic ends.
     */
    public static int defaultLimit() {
        return Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
    }

    /**
     * Refuses a new call while the cap is reached, after waiting a moment for one to come back.
     *
     * @param limit how many may be left running before new calls are refused (the environment's
     *     {@code maxStuck}); at least 1
     * @throws LimitExceededException naming the cap, its key and why, when it is still reached
     * @throws dev.exxec.ExecutionCancelledException when the caller is interrupted meanwhile
     */
    public void check(String environment, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1: " + limit);
        }
        lock.lock();
        try {
            long nanos = ROOM_WAIT.toNanos();
            while (running >= limit && nanos > 0) {
                nanos = fewer.awaitNanos(nanos);
            }
            if (running >= limit) {
                throw new LimitExceededException("environment " + environment + " refuses the call: " + running
                        + " earlier graalvm calls are past their deadline and still running in code that"
                        + " cannot be interrupted (such as big-integer arithmetic), each using a CPU core and"
                        + " its context's memory, and that is the limit of " + limit
                        + " (graalvm config key maxStuck); a call is accepted again once one of them ends");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new dev.exxec.ExecutionCancelledException("the call was cancelled while it waited to start");
        } finally {
            lock.unlock();
        }
    }

    /** A call was taken out of service with its thread still running. */
    public void left() {
        lock.lock();
        try {
            running++;
        } finally {
            lock.unlock();
        }
    }

    /** A call taken out of service came back: its thread left the guest code. */
    public void back() {
        lock.lock();
        try {
            running--;
            fewer.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** How many are still running. */
    public int running() {
        lock.lock();
        try {
            return running;
        } finally {
            lock.unlock();
        }
    }
}
