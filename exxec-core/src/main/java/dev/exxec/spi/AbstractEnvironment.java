package dev.exxec.spi;

import dev.exxec.Code;
import dev.exxec.CodeSession;
import dev.exxec.Command;
import dev.exxec.EventStream;
import dev.exxec.ExecutionCancelledException;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.ExecutionEvent;
import dev.exxec.ExecutionResult;
import dev.exxec.Language;
import dev.exxec.Processes;
import dev.exxec.Stop;
import dev.exxec.Terminals;
import dev.exxec.UnsupportedCapabilityException;
import dev.exxec.WorkspaceFiles;
import dev.exxec.internal.Ids;
import dev.exxec.internal.QueueEventStream;
import dev.exxec.internal.Reaper;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The base of most environments: it keeps the contract that is the same for every provider, so a
 * provider implements only how code and commands run.
 *
 * <p>It checks that the environment is open and that a call's language and features are declared,
 * applies the default language and deadline, turns one blocking run into an {@link EventStream} on a
 * virtual thread, tracks running calls so that {@link #close()} kills them, and closes the
 * environment at JVM shutdown if the caller did not.
 */
public abstract class AbstractEnvironment implements ExecutionEnvironment {
    private final String id;
    private final String providerId;
    protected final EnvironmentSettings settings;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Completed when the first {@link #close()} has released everything. */
    private final CompletableFuture<Void> released = new CompletableFuture<>();
    /** The thread of the first {@link #close()}, which must not wait for itself. */
    private volatile @Nullable Thread closer;

    private final Set<ExecProcess> running = ConcurrentHashMap.newKeySet();
    /** Launches under way: their process may exist before it is in {@link #running}. */
    private final AtomicInteger launching = new AtomicInteger();

    protected AbstractEnvironment(String providerId, EnvironmentSettings settings) {
        this.id = Ids.next(providerId);
        this.providerId = providerId;
        this.settings = Objects.requireNonNull(settings, "settings");
        Reaper.register(this);
    }

    /**
     * Runs code to its end; with a sink, also emits its events. Implementations usually build an
     * {@link ExecutionRun.Spec} and call {@link #run}.
     *
     * @param code the code, validated
     * @param language its language (the default applied), declared in the capabilities
     * @param timeout its deadline (the default applied); {@link Duration#ZERO} for none
     * @param executionId the id its events carry
     */
    protected abstract ExecutionResult runCode(
            Code code, Language language, Duration timeout, String executionId, @Nullable EventSink sink);

    /** Runs a shell command to its end; see {@link #runCode}. */
    protected abstract ExecutionResult runCommand(
            Command command, Duration timeout, String executionId, @Nullable EventSink sink);

    /** Releases the environment's resources; called once by {@link #close()}, after running calls were killed. */
    protected abstract void doClose();

    /**
     * Runs one process with {@link ExecutionRun}, tracked so that {@link #close()} can kill it.
     */
    protected final ExecutionResult run(
            ExecutionRun.Spec spec, ExecutionRun.Launcher launcher, @Nullable EventSink sink) {
        ExecProcess[] started = {null};
        // A run killed because the environment closed under it reports that, not the bare kill.
        EventSink closing =
                sink == null ? null : event -> sink.emit(event.isTerminal() ? closedOutcome(spec, event) : event);
        try {
            ExecutionResult result = ExecutionRun.run(
                    spec,
                    () -> {
                        launching.incrementAndGet(); // before the check: close() then waits for this launch
                        try {
                            checkOpen();
                            ExecProcess p = launcher.launch();
                            started[0] = p;
                            running.add(p);
                            if (closed.get()) { // closed while it started: it must not outlive the environment
                                p.kill();
                            }
                            return p;
                        } finally {
                            if (launching.decrementAndGet() == 0) {
                                synchronized (launching) {
                                    launching.notifyAll();
                                }
                            }
                        }
                    },
                    closing);
            return closed.get() && !result.success() ? closedResult(result) : result;
        } finally {
            if (started[0] != null) {
                running.remove(started[0]);
            }
        }
    }

    private ExecutionEvent closedOutcome(ExecutionRun.Spec spec, ExecutionEvent terminal) {
        if (closed.get() && terminal instanceof ExecutionEvent.Failed failed) {
            return ExecutionRun.terminalEvent(spec.id(), closedResult(failed.result()));
        }
        return terminal;
    }

    private ExecutionResult closedResult(ExecutionResult result) {
        return result.toBuilder()
                .stopped(
                        Stop.CANCELLATION,
                        "environment " + id + " was closed during the execution; everything it started was killed",
                        null)
                .build();
    }

    @Override
    public final String id() {
        return id;
    }

    @Override
    public final String providerId() {
        return providerId;
    }

    @Override
    public Language defaultLanguage() {
        return settings.language();
    }

    /** The environment's shared settings. */
    public final EnvironmentSettings settings() {
        return settings;
    }

    @Override
    public final ExecutionResult execute(Code code) {
        Language language = checkCode(code);
        return runCode(code, language, timeoutOf(code.timeout()), Ids.next("ex"), null);
    }

    @Override
    public final EventStream stream(Code code) {
        Language language = checkCode(code);
        Duration timeout = timeoutOf(code.timeout());
        return startStream((exId, sink) -> runCode(code, language, timeout, exId, sink));
    }

    @Override
    public final ExecutionResult executeCommand(Command command) {
        checkCommand(command);
        return runCommand(command, timeoutOf(command.timeout()), Ids.next("ex"), null);
    }

    @Override
    public final EventStream streamCommand(Command command) {
        checkCommand(command);
        Duration timeout = timeoutOf(command.timeout());
        return startStream((exId, sink) -> runCommand(command, timeout, exId, sink));
    }

    private interface StreamBody {
        void run(String executionId, EventSink sink);
    }

    private EventStream startStream(StreamBody body) {
        String exId = Ids.next("ex");
        Thread[] worker = {null};
        QueueEventStream stream = new QueueEventStream(exId, () -> {
            Thread t = worker[0];
            if (t != null) {
                t.interrupt();
            }
        });
        worker[0] = Thread.ofVirtual().name("exxec-" + exId).unstarted(() -> {
            try {
                body.run(exId, stream);
            } catch (ExecutionCancelledException e) {
                // the stream was closed early: its Failed event was emitted, the process killed
            } catch (RuntimeException e) {
                stream.fail(e); // misuse or an infrastructure fault: the reader gets it thrown
            }
        });
        worker[0].start();
        return stream;
    }

    private Language checkCode(Code code) {
        checkOpen();
        Language language = code.language() != null ? code.language() : defaultLanguage();
        if (!supports(language)) {
            throw new UnsupportedCapabilityException(unsupportedLanguageMessage(language));
        }
        return language;
    }

    /**
     * Whether code in {@code language} can run; by default what {@link #capabilities()} declares.
     * Providers that find interpreters lazily answer for one language without resolving the others.
     */
    protected boolean supports(Language language) {
        return capabilities().supports(language);
    }

    /** The message when {@code language} is not declared; providers can say how to get it. */
    protected String unsupportedLanguageMessage(Language language) {
        return "environment " + id + " (" + providerId + ") does not run " + language + "; it runs "
                + capabilities().languages();
    }

    /**
     * Whether shell commands can run; by default what {@link #capabilities()} declares. Providers whose
     * capabilities take work to find out (interpreters to start) answer without that work.
     */
    protected boolean runsCommands() {
        return capabilities().commands();
    }

    private void checkCommand(Command command) {
        checkOpen();
        Objects.requireNonNull(command, "command");
        if (!runsCommands()) {
            throw new UnsupportedCapabilityException(
                    "environment " + id + " (" + providerId + ") does not run shell commands");
        }
    }

    /** The call's deadline: its own, else the environment's. */
    protected final Duration timeoutOf(@Nullable Duration own) {
        return own != null ? own : settings.timeout();
    }

    /** Throws {@link IllegalStateException} once the environment is closed. */
    protected final void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("environment " + id + " is closed");
        }
    }

    /** Throws {@link UnsupportedCapabilityException} unless {@code declared}. */
    protected final void require(boolean declared, String feature) {
        checkOpen();
        if (!declared) {
            throw new UnsupportedCapabilityException(
                    "environment " + id + " (" + providerId + ") does not support " + feature);
        }
    }

    @Override
    public WorkspaceFiles files() {
        require(false, "files");
        throw new AssertionError();
    }

    @Override
    public Processes processes() {
        require(false, "background processes");
        throw new AssertionError();
    }

    @Override
    public Terminals terminals() {
        require(false, "terminals");
        throw new AssertionError();
    }

    @Override
    public CodeSession session(Language language) {
        require(false, "sessions");
        throw new AssertionError();
    }

    @Override
    public final boolean isClosed() {
        return closed.get();
    }

    @Override
    public final void close() {
        if (!closed.compareAndSet(false, true)) {
            awaitRelease();
            return;
        }
        closer = Thread.currentThread();
        try {
            for (ExecProcess p : running) {
                p.kill();
            }
            awaitLaunches();
            doClose();
        } finally {
            Reaper.unregister(this);
            released.complete(null);
        }
    }

    /**
     * Waits, a few seconds at most, for the launches under way when the environment closed: each
     * kills its process itself once it sees the environment closed. A close in a shutdown hook (Ctrl-C,
     * SIGTERM) that returned before would let the JVM halt between a process's start and that kill,
     * and the process would outlive the JVM.
     */
    private void awaitLaunches() {
        long deadline = System.nanoTime() + LAUNCH_WAIT.toNanos();
        boolean interrupted = false;
        synchronized (launching) {
            while (launching.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    launching.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** How long {@link #close()} waits for launches under way. */
    private static final Duration LAUNCH_WAIT = Duration.ofSeconds(10);

    /**
     * A later {@code close()} returns once the first has released everything: a caller that closes
     * (a server's shutdown hook beside its transport's end, say) and then exits must not leave the
     * environment's processes and workspace behind while the first close is still at work.
     */
    private void awaitRelease() {
        if (closer == Thread.currentThread()) {
            return; // closed again from within the release
        }
        try {
            released.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new AssertionError(e); // never completed exceptionally
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + id + "]";
    }
}
