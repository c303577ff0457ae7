package dev.exxec.docker.internal;

import dev.exxec.ExecutionCancelledException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Ends what calls that returned normally left running in a container (a child still running, a
 * daemon that detached), at once and in batches, and holds a new call back until what was left
 * before it is gone.
 *
 * <p>Holding back is the point: every process of the code runs as one user, and a process can read
 * the variables of any other process of its user ({@code /proc/PID/environ}). A daemon left by one
 * call would read the variables (a password) given to the next call's process the moment it starts,
 * before a sweep inside that call could end the daemon. So the next call's exec is made only once
 * the sweep is done; a call that follows the previous one closely waits for the rest of that sweep.
 * Thread-safe.
 */
public final class CallSweeper {
    private final Consumer<List<long[]>> sweep;
    private final String threadName;
    private final List<long[]> pending = new ArrayList<>();
    /** Completes once everything now pending is swept. */
    private CompletableFuture<Void> next = new CompletableFuture<>();
    /** Completes once the batch being swept is done. */
    private CompletableFuture<Void> current = CompletableFuture.completedFuture(null);

    private boolean running;

    /**
     * @param sweep kills the given calls ({pid, start time} each) and returns when they are gone (or
     *     a bounded wait passed)
     */
    public CallSweeper(Consumer<List<long[]>> sweep, String threadName) {
        this.sweep = sweep;
        this.threadName = threadName;
    }

    /** A call that ended normally: what it left goes now. */
    public synchronized void add(long pid, long startTime) {
        pending.add(new long[] {pid, startTime});
        if (!running) {
            running = true;
            Thread.ofVirtual().name(threadName).start(this::drain);
        }
    }

    private void drain() {
        while (true) {
            List<long[]> batch;
            CompletableFuture<Void> done;
            synchronized (this) {
                if (pending.isEmpty()) {
                    running = false;
                    return;
                }
                batch = List.copyOf(pending);
                pending.clear();
                done = next;
                next = new CompletableFuture<>();
                current = done;
            }
            try {
                sweep.accept(batch);
            } catch (RuntimeException e) {
                // the container went away, and what was in it
            } finally {
                done.complete(null);
            }
        }
    }

    /**
     * Returns once every call that ended before now was swept, or after {@code timeout} (a sweep is
     * itself bounded; this only guards against a daemon that stopped answering).
     *
     * @throws ExecutionCancelledException when the calling thread is interrupted
     */
    public void awaitSwept(Duration timeout) {
        CompletableFuture<Void> done;
        synchronized (this) {
            if (!pending.isEmpty()) {
                done = next;
            } else if (running) {
                done = current;
            } else {
                return;
            }
        }
        try {
            done.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ExecutionCancelledException("interrupted while the previous calls' leftovers were ended", e);
        } catch (ExecutionException | TimeoutException e) {
            // the sweep's own bound passed: the call goes ahead
        }
    }
}
