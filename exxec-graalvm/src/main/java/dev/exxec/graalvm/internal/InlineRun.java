package dev.exxec.graalvm.internal;

import dev.exxec.ErrorTypes;
import dev.exxec.ExecutionCancelledException;
import dev.exxec.ExecutionResult;
import dev.exxec.internal.OutputCapture;
import dev.exxec.spi.ExecutionRun;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.jspecify.annotations.Nullable;

/**
 * One program run on the calling platform thread, for an {@code execute} without events: no hand-off
 * to the environment's pool and no threads pumping its output (each hand-off costs a thread wake-up,
 * which on a busy machine costs more than a small program's whole run). Its output goes straight into
 * the bounded captures.
 *
 * <p>The rest of the contract is {@link ExecutionRun}'s: at the deadline a timer cancels the context
 * ({@code Context.close(true)} on a platform watchdog thread) and the result is {@code TimeoutError};
 * an interrupt of the caller, noticed by the timer within {@link #POLL} or by the program's own waits,
 * cancels it the same way and throws {@link ExecutionCancelledException} with the interrupt flag set
 * again; beyond the output limit the output is cut, and the program stopped when the settings say so.
 */
public final class InlineRun implements Call {
    /** How often the timer looks whether the caller was interrupted while its thread runs guest code. */
    static final Duration POLL = Duration.ofMillis(20);

    /** Why a run was stopped before its end. */
    private enum Stop {
        CANCELLED,
        OUTPUT_LIMIT,
        TIMEOUT,
        CLOSED
    }

    /** What runs on the caller's thread. */
    @FunctionalInterface
    public interface Task {
        /** Runs the program; {@link #attach} its context as soon as it exists. */
        Outcome run(Call call) throws Exception;
    }

    private final ExecutionRun.Spec spec;
    private final Executor watchdog;
    private final Thread caller = Thread.currentThread();
    private final OutputCapture stdout;
    private final OutputCapture stderr;
    private final OutputStream out;
    private final OutputStream err;
    private final Object lock = new Object();
    private @Nullable Context context;
    private @Nullable Stop stop;
    /** The program left its context: nothing to cancel any more. */
    private boolean ended;
    /** A kill interrupted the caller's wait for its context; the flag is not the caller's own. */
    private boolean interruptedByKill;

    private InlineRun(ExecutionRun.Spec spec, Executor watchdog) {
        this.spec = spec;
        this.watchdog = watchdog;
        this.stdout = new OutputCapture(spec.outputLimit());
        this.stderr = new OutputCapture(spec.outputLimit());
        this.out = new Capture(stdout);
        this.err = new Capture(stderr);
    }

    /**
     * Runs a task on the calling thread, which must be a platform thread.
     *
     * @param spec the run's settings (its result channel is not used: the outcome is the task's)
     * @param timer the timer that enforces the deadline and watches for an interrupt
     * @param watchdog the platform threads that cancel contexts
     * @param started told of the run before the task starts, so that it can be {@link #close}d
     * @throws ExecutionCancelledException when the caller was interrupted
     */
    public static ExecutionResult run(
            ExecutionRun.Spec spec,
            ScheduledExecutorService timer,
            Executor watchdog,
            java.util.function.Consumer<InlineRun> started,
            Task task) {
        if (Thread.currentThread().isVirtual()) {
            throw new IllegalStateException("a polyglot context runs on a platform thread");
        }
        long start = System.nanoTime();
        InlineRun run = new InlineRun(spec, watchdog);
        started.accept(run);
        ScheduledFuture<?> deadline = spec.timeout().isZero()
                ? null
                : timer.schedule(() -> run.kill(Stop.TIMEOUT), spec.timeout().toNanos(), TimeUnit.NANOSECONDS);
        ScheduledFuture<?> watch = timer.scheduleWithFixedDelay(
                run::watchInterrupt, POLL.toMillis(), POLL.toMillis(), TimeUnit.MILLISECONDS);
        Outcome outcome = null;
        Throwable fault = null;
        try {
            if (Thread.currentThread().isInterrupted()) {
                run.kill(Stop.CANCELLED);
            }
            outcome = task.run(run);
        } catch (PolyglotException e) {
            if (e.isCancelled() || e.isInterrupted()) {
                // No kill of this run's own: the language turned the caller's interrupt into its own.
                run.kill(Stop.CANCELLED);
            } else {
                fault = e;
            }
        } catch (InterruptedException e) {
            run.kill(Stop.CANCELLED); // the caller's interrupt met a wait of the program (a timer), or a kill's
        } catch (Throwable e) {
            fault = e;
        } finally {
            watch.cancel(false);
            if (deadline != null) {
                deadline.cancel(false);
            }
        }
        return run.finish(outcome, fault, Duration.ofNanos(System.nanoTime() - start));
    }

    @Override
    public OutputStream out() {
        return out;
    }

    @Override
    public OutputStream err() {
        return err;
    }

    @Override
    public void attach(Context context) throws InterruptedException {
        synchronized (lock) {
            if (stop != null) {
                throw new InterruptedException("killed before it ran");
            }
            this.context = context;
        }
    }

    /** Stops the run because its environment closes; the result says so. */
    public void close() {
        kill(Stop.CLOSED);
    }

    private void watchInterrupt() {
        if (caller.isInterrupted()) {
            kill(Stop.CANCELLED);
        }
    }

    private void kill(Stop why) {
        Context c;
        synchronized (lock) {
            if (stop != null || ended) {
                return;
            }
            stop = why;
            c = context;
            if (c == null && why != Stop.CANCELLED && Thread.currentThread() != caller) {
                interruptedByKill = true;
                caller.interrupt(); // it waits for its context (a spare being built): stop waiting
            }
        }
        if (c != null) {
            // Never on the caller's own thread, which may be inside the context (writing output).
            watchdog.execute(() -> {
                try {
                    c.close(true);
                } catch (RuntimeException e) {
                    // already closed, or closing: the run ends either way
                }
            });
        }
    }

    private ExecutionResult finish(@Nullable Outcome outcome, @Nullable Throwable fault, Duration duration) {
        Stop why;
        synchronized (lock) {
            ended = true;
            why = stop;
            context = null;
            if (interruptedByKill) {
                Thread.interrupted(); // the flag was the kill's, not the caller's
            }
        }
        int exitCode = why == null ? ContextRun.exitCode(outcome) : 128 + 9;
        ExecutionResult.Builder result = ExecutionResult.builder()
                .stdout(stdout.text())
                .stderr(stderr.text())
                .stdoutTruncated(stdout.truncated())
                .stderrTruncated(stderr.truncated())
                .exitCode(exitCode)
                .duration(duration);
        switch (why) {
            case CANCELLED, CLOSED ->
                result.stopped(
                        dev.exxec.Stop.CANCELLATION,
                        "the execution was cancelled and everything it started was killed",
                        null);
            case OUTPUT_LIMIT ->
                result.stopped(
                        dev.exxec.Stop.OUTPUT_LIMIT,
                        "output exceeded the limit of " + spec.outputLimit()
                                + " bytes per stream; the execution was stopped",
                        null);
            case TIMEOUT ->
                result.stopped(
                        dev.exxec.Stop.DEADLINE,
                        "the execution exceeded its timeout of " + ExecutionRun.human(spec.timeout())
                                + " and was killed",
                        null);
            case null -> {
                if (exitCode == 0) {
                    result.success(true);
                } else {
                    result.error(
                            "the process exited with " + ExecutionRun.describeExit(exitCode)
                                    + " before reporting a result",
                            ErrorTypes.PROCESS_EXIT,
                            null);
                }
            }
        }
        ExecutionResult finished =
                ContextRun.conclude(result.build(), why == null ? outcome : null, why == null ? fault : null, "");
        if (why == Stop.CANCELLED) {
            Thread.currentThread().interrupt();
            throw new ExecutionCancelledException(
                    "execution " + spec.id() + " was cancelled; everything it started was killed");
        }
        return finished;
    }

    /** A stream into a capture; beyond the limit it counts, and stops the run when the settings say so. */
    private final class Capture extends OutputStream {
        private final OutputCapture capture;

        Capture(OutputCapture capture) {
            this.capture = capture;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (capture.append(b, off, len) < len && spec.stopOnOutputLimit()) {
                kill(Stop.OUTPUT_LIMIT);
            }
        }
    }
}
