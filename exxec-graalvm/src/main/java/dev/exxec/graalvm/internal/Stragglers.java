package dev.exxec.graalvm.internal;

import dev.exxec.ExxecException;

/**
 * The calls whose deadline (or cancellation) came while their thread was in guest code that does not
 * stop when its context is cancelled. Truffle stops a program at its safepoints, and an operation such
 * as big-integer arithmetic has none until it returns: Python's {@code 7 ** 200000000} or
 * JavaScript's {@code 7n ** 200000000n} is one {@code java.math.BigInteger.pow} of several minutes.
 * Such a call is taken out of service (see {@link ContextRun}): its result is given at once and a
 * fresh thread takes its place, while the old one finishes the operation, burning a CPU core, and
 * closes its context when it comes back. Their number is capped, per provider (the CPU is the
 * JVM's): at the cap, new calls are refused until one comes back. Thread-safe.
 */
public final class Stragglers {
    private final int limit;
    private int running;

    /** @param limit how many may run at once before new calls are refused; at least 1 */
    public Stragglers(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1: " + limit);
        }
        this.limit = limit;
    }

    /** The default cap: the number of CPUs, at least 2. */
    public static int defaultLimit() {
        return Math.max(2, Runtime.getRuntime().availableProcessors());
    }

    /**
     * Refuses a new call while the cap is reached.
     *
     * @throws ExxecException naming the cap and why, when it is reached
     */
    public synchronized void check(String environment) {
        if (running >= limit) {
            throw new ExxecException("environment " + environment + " refuses the call: " + running
                    + " earlier graalvm calls are past their deadline and still running in code that"
                    + " cannot be interrupted (such as big-integer arithmetic), each using a CPU core, and"
                    + " that is the limit of " + limit
                    + " (one per CPU); a call is accepted again once one of them ends");
        }
    }

    /** A call was taken out of service with its thread still running. */
    public synchronized void left() {
        running++;
    }

    /** A call taken out of service came back: its thread left the guest code. */
    public synchronized void back() {
        running--;
    }

    /** How many are still running. */
    public synchronized int running() {
        return running;
    }
}
