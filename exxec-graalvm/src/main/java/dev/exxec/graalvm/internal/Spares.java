package dev.exxec.graalvm.internal;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Fresh contexts of one language made ahead of the calls that take them, so that a call does not
 * wait for a context to be built (a GraalPy context takes tens of milliseconds even on a warm engine).
 * Every context serves exactly one call: a call still gets a context no program ever ran in. When a
 * call hands its context back, this language's own spare thread closes it and builds the next one
 * (not while the call runs, which it would slow down on a small machine). Thread-safe.
 */
public final class Spares {
    /** The longest a call waits for the spare being built before it builds its own. */
    private static final Duration BUILD_WAIT = Duration.ofSeconds(2);

    private final Polyglot polyglot;
    private final Guest guest;
    private final ContextOptions options;
    private final BlockingQueue<Prepared> ready;
    private final ExecutorService thread;
    private final int size;
    /** A refill is queued or running. */
    private final AtomicBoolean filling = new AtomicBoolean();
    /** A context is being built right now. */
    private final AtomicBoolean building = new AtomicBoolean();

    private final AtomicBoolean waiting = new AtomicBoolean();
    private volatile boolean closed;

    /**
     * @param size how many to keep ready; 0 builds every context on demand
     * @param name the name of the spare thread
     */
    public Spares(Polyglot polyglot, Guest guest, ContextOptions options, int size, String name) {
        this.polyglot = polyglot;
        this.guest = guest;
        this.options = options;
        this.ready = new ArrayBlockingQueue<>(Math.max(1, size));
        this.size = size;
        this.thread = Executors.newSingleThreadExecutor(Polyglot.platformThreads(name));
    }

    /**
     * A fresh prepared context: a spare if one is ready; else the one being built, when no other call
     * waits for it (it is done sooner than a new one, which would compete with it for the CPU); else
     * one built now on this thread.
     *
     * @throws InterruptedException when the call is killed while it waits
     */
    public Prepared take() throws InterruptedException {
        Prepared p = ready.poll();
        if (p == null && building.get() && waiting.compareAndSet(false, true)) {
            try {
                p = ready.poll(BUILD_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } finally {
                waiting.set(false);
            }
        }
        if (p == null) {
            p = Prepared.build(polyglot, guest, options);
        }
        return p;
    }

    /**
     * Closes a used context on the spare thread, off the caller's time (about a millisecond in GraalPy),
     * and builds the spares taken meanwhile.
     */
    public void discardLater(Prepared used) {
        try {
            thread.execute(used::discard);
            refill();
        } catch (RejectedExecutionException e) {
            used.discard(); // closed meanwhile
        }
    }

    private void refill() {
        if (size == 0 || closed || !filling.compareAndSet(false, true)) {
            return;
        }
        try {
            thread.execute(() -> {
                try {
                    while (!closed && ready.remainingCapacity() > 0) {
                        building.set(true);
                        Prepared p;
                        try {
                            p = Prepared.build(polyglot, guest, options);
                        } finally {
                            building.set(false);
                        }
                        if (closed || !ready.offer(p)) {
                            p.discard();
                        }
                    }
                } catch (RuntimeException e) {
                    // the next call builds its own and says what went wrong
                } finally {
                    filling.set(false);
                }
                if (!closed && ready.remainingCapacity() > 0) {
                    refill(); // taken while this one was being built
                }
            });
        } catch (RejectedExecutionException e) {
            filling.set(false); // shutting down
        }
    }

    /** Closes the contexts kept ready, builds no more, and ends the spare thread once it is idle. */
    public void close() {
        closed = true;
        Prepared p;
        while ((p = ready.poll()) != null) {
            p.discard();
        }
        thread.shutdown();
    }
}
