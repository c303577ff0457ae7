package dev.exxec.graalvm.internal;

import dev.exxec.ExecutionResult;
import dev.exxec.ExxecException;
import dev.exxec.spi.ExecProcess;
import dev.exxec.spi.Pipe;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.jspecify.annotations.Nullable;

/**
 * One program running in a polyglot context on a platform thread of the environment's pool, seen by
 * {@link dev.exxec.spi.ExecutionRun} as a process: its output arrives through pipes, a kill cancels
 * the context ({@code Context.close(true)}) from a watchdog thread, and its outcome refines the
 * result at the end.
 *
 * <p>A cancelled context stops at the program's next safepoint, within milliseconds, unless the
 * program is inside an operation that has none (big-integer arithmetic: {@code 7 ** 200000000} is
 * minutes of {@code BigInteger.pow}). When its thread has not left the context {@link #KILL_WAIT}
 * after the kill, the run is taken out of service: it ends now (its pipes closed, its result the
 * kill's), its {@link Stuck} is told so that a fresh thread takes its place, and the thread finishes
 * the operation on its own; its context is closed when it comes back, and the {@code Stuck} told
 * again.
 */
public final class ContextRun implements ExecProcess, Call {
    private static final int PIPE_BYTES = 64 * 1024;
    /**
     * How long a kill waits for the program's thread to leave the context before the run is taken out
     * of service. A cancelled program normally leaves within milliseconds, a GraalPy one on a busy
     * machine in a few hundred (its first cancellation most); one taken out too early costs only a
     * thread for that while. With the rest of the run's end, this keeps within a second of the deadline.
     */
    static final Duration KILL_WAIT = Duration.ofMillis(700);

    private static final String LEFT_RUNNING = "the program had not stopped " + KILL_WAIT.toMillis()
            + " ms after it was cancelled (it is inside an operation that cannot be interrupted, such as big-integer"
            + " arithmetic, or the machine is busy), so it was left to finish on its own thread, which uses a CPU core"
            + " until it stops; its context is closed then, and the environment serves other calls meanwhile";

    /** Told when a killed run is taken out of service with its thread still in guest code, and when that thread comes back. */
    public interface Stuck {
        /** The run was taken out of service; its thread still runs the program. */
        void left();

        /** The thread of a run taken out of service left the program. */
        void back();
    }

    /** What runs on the pool thread. */
    @FunctionalInterface
    public interface Task {
        /** Runs the program; {@link #attach} its context as soon as it exists. */
        Outcome run(ContextRun run) throws Exception;
    }

    private final Pipe stdout = new Pipe(PIPE_BYTES);
    private final Pipe stderr = new Pipe(PIPE_BYTES);
    private final CountDownLatch done = new CountDownLatch(1);
    private final Executor watchdog;
    private final String lostState;
    private final Stuck stuck;
    private final Object lock = new Object();
    private @Nullable Context context;
    private @Nullable Thread thread;
    private boolean killed;
    /** The task returned (or never ran): the thread is the pool's again. */
    private boolean ended;
    /** Taken out of service with its thread still in the program. */
    private boolean abandoned;

    private volatile @Nullable Outcome outcome;
    private volatile @Nullable Throwable fault;

    private ContextRun(Executor watchdog, String lostState, Stuck stuck) {
        this.watchdog = watchdog;
        this.lostState = lostState;
        this.stuck = stuck;
    }

    /**
     * Starts a task on the pool.
     *
     * @param lostState what a timed-out or cancelled result adds to its message (a session's lost
     *     state), or empty
     * @param stuck told when the run is taken out of service with its thread still in the program, and
     *     when that thread comes back
     * @throws ExxecException when the pool refuses it (the environment is closing)
     */
    public static ContextRun start(Executor pool, Executor watchdog, String lostState, Stuck stuck, Task task) {
        ContextRun run = new ContextRun(watchdog, lostState, stuck);
        try {
            pool.execute(() -> run.body(task));
        } catch (RejectedExecutionException e) {
            throw new ExxecException("the environment's context threads are shut down", e);
        }
        return run;
    }

    private void body(Task task) {
        synchronized (lock) {
            if (killed) {
                ended = true;
                finish();
                return;
            }
            thread = Thread.currentThread();
        }
        try {
            outcome = task.run(this);
        } catch (PolyglotException e) {
            if (!e.isCancelled() && !e.isInterrupted()) {
                fault = e;
            }
        } catch (InterruptedException e) {
            // killed while the event loop waited for a timer
        } catch (Throwable e) {
            fault = e;
        } finally {
            boolean wasAbandoned;
            synchronized (lock) {
                thread = null;
                context = null;
                ended = true;
                wasAbandoned = abandoned;
                Thread.interrupted(); // a kill's interrupt must not reach the pool's next task
            }
            finish();
            if (wasAbandoned) {
                stuck.back();
            }
        }
    }

    private void finish() {
        closeQuietly(stdout.sink());
        closeQuietly(stderr.sink());
        done.countDown();
    }

    @Override
    public OutputStream out() {
        return stdout.sink();
    }

    @Override
    public OutputStream err() {
        return stderr.sink();
    }

    @Override
    public void attach(Context context) throws InterruptedException {
        synchronized (lock) {
            if (killed) {
                throw new InterruptedException("killed before it ran");
            }
            this.context = context;
        }
    }

    /** Whether it was killed. */
    public boolean killed() {
        synchronized (lock) {
            return killed;
        }
    }

    @Override
    public @Nullable Long pid() {
        return null;
    }

    @Override
    public InputStream stdout() {
        return stdout.source();
    }

    @Override
    public InputStream stderr() {
        return stderr.source();
    }

    @Override
    public OutputStream stdin() {
        return OutputStream.nullOutputStream(); // programs read an empty, closed standard input
    }

    @Override
    public boolean waitFor(Duration timeout) throws InterruptedException {
        if (timeout.isZero()) {
            done.await();
            return true;
        }
        return done.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public int exitCode() {
        return exitCode(outcome);
    }

    @Override
    public void kill() {
        Context c;
        Thread t;
        synchronized (lock) {
            if (killed || done.getCount() == 0) {
                return;
            }
            killed = true;
            c = context;
            t = thread;
            if (t == null) { // still queued: it will not run
                finish();
                return;
            }
        }
        // The watchdog is a platform thread: cancelling a context from a virtual thread that the
        // context's own thread may be waiting on is not something to rely on.
        watchdog.execute(() -> {
            if (c != null) {
                try {
                    c.close(true);
                } catch (RuntimeException e) {
                    // already closed, or closing: the run ends either way
                }
            }
            synchronized (lock) {
                if (thread == t) {
                    t.interrupt(); // a wait for a timer, or a context still being built
                }
            }
        });
        // Waits even when the caller was interrupted (a cancellation): a program that stops is not to
        // be taken out of service, one that does not must be.
        boolean interrupted = false;
        long end = System.nanoTime() + KILL_WAIT.toNanos();
        while (true) {
            try {
                if (!done.await(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    abandon();
                }
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Takes the run out of service when its thread is still in the program: the run ends now. */
    private void abandon() {
        synchronized (lock) {
            if (ended || abandoned) {
                return;
            }
            abandoned = true;
            stuck.left(); // before the thread can come back and say so
        }
        finish(); // what the program writes from now on fails: its pipes are closed
    }

    /** Whether the run was taken out of service with its thread still in the program. */
    public boolean abandoned() {
        synchronized (lock) {
            return abandoned;
        }
    }

    @Override
    public void release() {
        // The task closed or kept its context itself; nothing runs any more.
    }

    @Override
    public void closeStreams() {
        closeQuietly(stdout.source());
        closeQuietly(stderr.source());
    }

    @Override
    public ExecutionResult conclude(ExecutionResult result) {
        if (abandoned()) {
            return conclude(result, null, null, lostState.isEmpty() ? LEFT_RUNNING : lostState + "; " + LEFT_RUNNING);
        }
        return conclude(result, outcome, fault, lostState);
    }

    /**
     * Refines the result of a run by the program's outcome; a verdict of the run itself (timeout,
     * cancellation, output limit) stands.
     *
     * @param outcome how the program ended, or {@code null} when it did not
     * @param fault what failed outside the program, or {@code null}
     * @param lostState what a timed-out or cancelled result adds to its message, or empty
     * @throws ExxecException when the provider itself failed
     */
    static ExecutionResult conclude(
            ExecutionResult result, @Nullable Outcome outcome, @Nullable Throwable fault, String lostState) {
        if (result.stoppedBy() != null) { // the run stopped it: the program's outcome is moot
            return lostState.isEmpty()
                    ? result
                    : result.toBuilder()
                            .error(result.error() + "; " + lostState, result.errorType(), null)
                            .build();
        }
        if (fault != null) {
            throw new ExxecException("the graalvm provider failed to run the program: " + fault, fault);
        }
        ExecutionResult.Builder b = result.toBuilder().exitCode(exitCode(outcome));
        return switch (outcome) {
            case null -> result;
            case Outcome.Ok ok ->
                b.success(true)
                        .result(ok.value(), ok.type())
                        .error(null, null, null)
                        .build();
            case Outcome.Failure failure ->
                b.success(false)
                        .error(failure.message(), failure.type(), failure.traceback())
                        .build();
            case Outcome.Exit exit ->
                exit.code() == 0
                        ? b.success(true)
                                .result(null, null)
                                .error(null, null, null)
                                .build()
                        : b.success(false)
                                .error(
                                        exit.message() != null
                                                ? exit.message()
                                                : "the program exited with exit code " + exit.code(),
                                        exit.errorType(),
                                        null)
                                .build();
        };
    }

    /** The exit code a process with this outcome would have reported; a killed one's without. */
    static int exitCode(@Nullable Outcome outcome) {
        return outcome != null ? outcome.exitCode() : 128 + 9;
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // nothing to do: the stream is gone either way
        }
    }
}
