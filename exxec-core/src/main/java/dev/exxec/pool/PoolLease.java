package dev.exxec.pool;

import dev.exxec.pool.internal.MemberPool;

/**
 * What the leases of both pools share: one member lent to one holder through a view that the holder
 * can use until the lease ends; then the member goes back to the pool, or is retired when something
 * poisoned it.
 *
 * @param <T> what the pool holds
 */
abstract class PoolLease<T> implements AutoCloseable {
    /** The holder's view of a member. */
    interface View {
        /** Keeps the member from being lent again. */
        void poison();

        /** Whether something happened that keeps the member from being lent again. */
        boolean poisoned();

        /** Makes the view unusable: every use throws from now on. */
        void end();
    }

    private final MemberPool<T> pool;
    private final MemberPool.Member<T> member;
    private final View view;
    private boolean ended;

    PoolLease(MemberPool<T> pool, MemberPool.Member<T> member, View view) {
        this.pool = pool;
        this.member = member;
        this.view = view;
    }

    /** Ends the lease and retires the member instead of giving it back. */
    public void discard() {
        view.poison();
        close();
    }

    /** Whether something happened that keeps the member from being lent again. */
    public boolean poisoned() {
        return view.poisoned();
    }

    /**
     * Gives the member back, or retires it when it was poisoned; returns at once, the reset (or the
     * retiring) goes on in the background. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (ended) {
            return;
        }
        ended = true;
        view.end();
        pool.release(member, view.poisoned());
    }
}
