package dev.exxec.graalvm;

import dev.exxec.Code;
import dev.exxec.CodeSession;
import dev.exxec.ExecutionCancelledException;
import dev.exxec.ExecutionResult;
import dev.exxec.Language;
import dev.exxec.graalvm.internal.ContextOptions;
import dev.exxec.graalvm.internal.ContextRun;
import dev.exxec.graalvm.internal.Guest;
import dev.exxec.graalvm.internal.Outcome;
import dev.exxec.graalvm.internal.Polyglot;
import dev.exxec.graalvm.internal.Redirect;
import dev.exxec.internal.Ids;
import dev.exxec.spi.ExecutionRun;
import dev.exxec.spi.ResultChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.ReentrantLock;
import org.graalvm.polyglot.Context;
import org.jspecify.annotations.Nullable;

/**
 * A stateful interpreter of a graalvm environment: one long-lived polyglot context on its own
 * platform thread, whose globals persist from one call to the next. A deadline (or a cancellation)
 * cancels the context and its state is lost: the result says so, and the next call starts afresh.
 * {@code sys.exit} and {@code process.exit} end the context the same way. A call that does not stop
 * when cancelled (inside big-integer arithmetic) is left to finish on its thread with its context: the
 * session goes on with a fresh thread and context, as after any deadline.
 */
final class GraalvmSession implements CodeSession {
    private static final String LOST =
            "the session's context was cancelled and its state (globals, imports) is lost; the next call starts afresh";

    private final String id = Ids.next("session");
    private final GraalvmEnvironment env;
    private final Guest guest;
    private final ReentrantLock oneAtATime = new ReentrantLock();
    private final Map<String, String> variables;
    private volatile boolean closed;
    /** The thread and context the calls run in; replaced when a call is left running past its deadline. */
    private volatile Interpreter current;
    /** The call running now, for a close from another thread. */
    private volatile @Nullable ContextRun running;

    GraalvmSession(GraalvmEnvironment env, Guest guest) {
        this.env = env;
        this.guest = guest;
        this.variables = env.variables(Map.of());
        this.current = new Interpreter();
    }

    /**
     * One thread and the context on it. Its context and driver are touched only on that thread, so a call left running past its deadline keeps its own, and the next call's are fresh.
     */
    private final class Interpreter {
        final ExecutorService thread = Executors.newSingleThreadExecutor(Polyglot.platformThreads(id));
        final Redirect out = new Redirect();
        final Redirect err = new Redirect();

        @Nullable
        Context context;

        Guest.@Nullable Driver driver;

        void discard() {
            Context c = context;
            context = null;
            driver = null;
            if (c != null) {
                try {
                    c.close(true);
                } catch (RuntimeException e) {
                    // cancelled or exited already
                }
            }
        }

        /** Closes the context once the thread is free, and ends the thread then. */
        void retire() {
            try {
                thread.execute(this::discard);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // shut down already
            }
            thread.shutdown();
        }
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Language language() {
        return guest.language();
    }

    @Override
    public ExecutionResult execute(Code code) {
        return run(code, false);
    }

    @Override
    public ExecutionResult evaluate(Code code) {
        return run(code, true);
    }

    private ExecutionResult run(Code code, boolean interactive) {
        if (code.language() != null && code.language() != guest.language()) {
            throw new IllegalArgumentException(
                    "session " + id + " runs " + guest.language() + ", not " + code.language());
        }
        if (!code.env().isEmpty()) {
            throw new IllegalArgumentException(
                    "a session's variables are fixed when it starts: set them on the environment ('env.NAME')");
        }
        if (code.cwd() != null) {
            throw new IllegalArgumentException("a session's working directory is fixed when it starts");
        }
        Duration timeout =
                code.timeout() != null ? code.timeout() : env.settings().timeout();
        oneAtATime.lock();
        try {
            checkOpen();
            env.polyglot().stragglers().check(env.id(), env.config().maxStuck());
            Interpreter in = current;
            ExecutionRun.Spec spec = new ExecutionRun.Spec(
                    Ids.next("ex"),
                    guest.description() + " session " + id,
                    ExecutionRun.Kind.CODE,
                    timeout,
                    env.settings().outputLimit(),
                    env.settings().stopOnOutputLimit(),
                    null,
                    ResultChannel.none());
            // Left running: the interpreter is retired once its thread comes back, and the next call
            // gets a new one.
            ContextRun.Stuck stuck = env.sessionStuck(() -> {
                if (current == in) {
                    current = new Interpreter();
                }
                in.retire();
                if (closed) {
                    current.retire();
                }
            });
            ExecutionResult result;
            try {
                result = env.runSession(spec, () -> {
                    ContextRun r = ContextRun.start(
                            in.thread, env.polyglot().watchdog(), LOST, stuck, run -> call(in, run, code, interactive));
                    running = r;
                    if (closed) {
                        r.kill();
                    }
                    return r;
                });
            } catch (RuntimeException e) {
                if (closed) {
                    throw closedDuringCall(e);
                }
                throw e;
            } finally {
                running = null;
            }
            if (closed) { // close() cancelled the context under the call: say so, not how it ended
                throw closedDuringCall(null);
            }
            return result;
        } finally {
            oneAtATime.unlock();
        }
    }

    private Outcome call(Interpreter in, ContextRun run, Code code, boolean interactive) throws InterruptedException {
        in.out.to(run.out());
        in.err.to(run.err());
        try {
            if (in.context == null) {
                ContextOptions options = env.contextOptions();
                in.context = env.polyglot().context(guest, in.out, in.err, options.files(), options.cwd());
                run.attach(in.context);
                in.driver = guest.session(in.context, in.out, in.err);
            } else {
                run.attach(in.context);
            }
            Path cwd = env.cwd(null);
            Outcome outcome = interactive
                    ? in.driver.evaluate(
                            code.source(), code.displayName(), variables, cwd == null ? null : cwd.toString())
                    : in.driver.run(code.source(), code.displayName(), variables, cwd == null ? null : cwd.toString());
            if (outcome instanceof Outcome.Exit || run.killed()) {
                in.discard(); // the context exited: its state is gone
            }
            return outcome;
        } catch (RuntimeException | InterruptedException e) {
            in.discard();
            throw e;
        } finally {
            in.out.to(java.io.OutputStream.nullOutputStream());
            in.err.to(java.io.OutputStream.nullOutputStream());
        }
    }

    private ExecutionCancelledException closedDuringCall(@Nullable Throwable cause) {
        return new ExecutionCancelledException(
                "session " + id + " was closed during the call: its context was cancelled, and the call did not"
                        + " finish",
                cause);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("session " + id + " is closed");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        env.forget(this);
        ContextRun call = running;
        if (call != null) {
            // Cancels it on a watchdog thread: a program that ignores the cancellation is taken out of
            // service there, and this close does not wait for it.
            env.polyglot().watchdog().execute(call::kill);
        }
        current.retire();
    }
}
