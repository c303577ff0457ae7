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
 * {@code sys.exit} and {@code process.exit} end the context the same way.
 */
final class GraalvmSession implements CodeSession {
    private static final String LOST =
            "the session's context was cancelled and its state (globals, imports) is lost; the next call starts afresh";

    private final String id = Ids.next("session");
    private final GraalvmEnvironment env;
    private final Guest guest;
    private final ExecutorService thread;
    private final Redirect out = new Redirect();
    private final Redirect err = new Redirect();
    private final ReentrantLock oneAtATime = new ReentrantLock();
    private final Map<String, String> variables;
    private volatile boolean closed;
    /** The context, for a close from another thread while a call runs. */
    private volatile @Nullable Context live;
    // Touched only on the session's thread.
    private @Nullable Context context;
    private Guest.@Nullable Driver driver;

    GraalvmSession(GraalvmEnvironment env, Guest guest) {
        this.env = env;
        this.guest = guest;
        this.variables = env.variables(Map.of());
        this.thread = Executors.newSingleThreadExecutor(Polyglot.platformThreads(id));
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
            ExecutionRun.Spec spec = new ExecutionRun.Spec(
                    Ids.next("ex"),
                    guest.description() + " session " + id,
                    ExecutionRun.Kind.CODE,
                    timeout,
                    env.settings().outputLimit(),
                    env.settings().stopOnOutputLimit(),
                    null,
                    ResultChannel.none());
            ExecutionResult result;
            try {
                result = env.runSession(
                        spec, () -> ContextRun.start(thread, env.polyglot().watchdog(), LOST, run -> call(run, code)));
            } catch (RuntimeException e) {
                if (closed) {
                    throw closedDuringCall(e);
                }
                throw e;
            }
            if (closed) { // close() cancelled the context under the call: say so, not how it ended
                throw closedDuringCall(null);
            }
            return result;
        } finally {
            oneAtATime.unlock();
        }
    }

    private Outcome call(ContextRun run, Code code) throws InterruptedException {
        out.to(run.out());
        err.to(run.err());
        try {
            if (context == null) {
                ContextOptions options = env.contextOptions();
                context = env.polyglot().context(guest, out, err, options.files(), options.cwd());
                live = context;
                run.attach(context);
                driver = guest.session(context, out, err);
            } else {
                run.attach(context);
            }
            Path cwd = env.cwd(null);
            Outcome outcome = driver.run(code.source(), variables, cwd == null ? null : cwd.toString());
            if (outcome instanceof Outcome.Exit || run.killed()) {
                discard(); // the context exited: its state is gone
            }
            return outcome;
        } catch (RuntimeException | InterruptedException e) {
            discard();
            throw e;
        } finally {
            out.to(java.io.OutputStream.nullOutputStream());
            err.to(java.io.OutputStream.nullOutputStream());
        }
    }

    private void discard() {
        Context c = context;
        context = null;
        live = null;
        driver = null;
        if (c != null) {
            try {
                c.close(true);
            } catch (RuntimeException e) {
                // cancelled or exited already
            }
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
        Context running = live;
        if (running != null) {
            try {
                running.close(true); // cancels a call that is running
            } catch (RuntimeException e) {
                // closed already
            }
        }
        thread.execute(this::discard);
        thread.shutdown();
    }
}
