package dev.exxec.graalvm;

import dev.exxec.Capabilities;
import dev.exxec.Code;
import dev.exxec.CodeSession;
import dev.exxec.Command;
import dev.exxec.EnvironmentStartException;
import dev.exxec.EventStream;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.ExecutionEvent;
import dev.exxec.ExecutionResult;
import dev.exxec.Exxec;
import dev.exxec.Isolation;
import dev.exxec.Language;
import dev.exxec.Location;
import dev.exxec.NetworkAccess;
import dev.exxec.ResourceLimits;
import dev.exxec.UnsupportedCapabilityException;
import dev.exxec.WorkspaceFiles;
import dev.exxec.graalvm.internal.Call;
import dev.exxec.graalvm.internal.ContextOptions;
import dev.exxec.graalvm.internal.ContextRun;
import dev.exxec.graalvm.internal.Guest;
import dev.exxec.graalvm.internal.Outcome;
import dev.exxec.graalvm.internal.Polyglot;
import dev.exxec.graalvm.internal.Prepared;
import dev.exxec.graalvm.internal.Spares;
import dev.exxec.graalvm.internal.WorkspaceFileSystem;
import dev.exxec.internal.TreeRemoval;
import dev.exxec.spi.AbstractEnvironment;
import dev.exxec.spi.EventSink;
import dev.exxec.spi.ExecutionRun;
import dev.exxec.spi.ResultChannel;
import dev.exxec.spi.SettingsBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.graalvm.polyglot.io.FileSystem;
import org.jspecify.annotations.Nullable;

/**
 * An environment that runs Python (GraalPy) and JavaScript (GraalJS) inside this JVM: every call
 * gets a fresh polyglot context on the provider's shared engine, on one of the environment's platform
 * threads. A deadline cancels the context; output is streamed as the code writes it. A program that
 * does not stop when cancelled (inside big-integer arithmetic) is left to finish on its own thread,
 * its call ended at once and a fresh thread put in its place (see {@link ContextRun}).
 *
 * <p>The code is denied by default: the constrained sandbox policy, no host classes, no native
 * access, no processes or threads, no network, no host variables, and no files unless {@code
 * fileAccess=workspace} (then only the environment's workspace). This is not a security boundary:
 * the code shares the JVM's memory and CPU and GraalVM community edition does not isolate it, so the
 * environment declares isolation {@link Isolation#NONE}. Run untrusted code with the {@code sandbox}
 * or {@code docker} provider.
 *
 * {@snippet :
 * try (ExecutionEnvironment env = GraalvmEnvironment.builder().timeout(Duration.ofSeconds(5)).build()) {
 *     env.execute(Code.javascript("function main() { return 6 * 7; }")).result(); // 42
 * }
 * }
 */
public final class GraalvmEnvironment extends AbstractEnvironment {
    private final GraalvmConfig config;
    private final Polyglot polyglot;
    private final Path workspace;
    private final @Nullable FileSystem fileSystem;
    private final ThreadPoolExecutor pool;
    private final Capabilities capabilities;
    private final dev.exxec.spi.HostWorkspaceFiles files;
    private final Set<GraalvmSession> sessions = ConcurrentHashMap.newKeySet();
    private final ContextOptions contextOptions;
    private final Map<Language, Spares> spares = new ConcurrentHashMap<>();
    /** This environment's calls taken out of service whose pool threads still run their programs. */
    private int stuckThreads;

    private volatile @Nullable ExecutionEnvironment commands;

    GraalvmEnvironment(GraalvmConfig config, Polyglot polyglot) {
        super(GraalvmProvider.ID, config.settings());
        this.config = config;
        this.polyglot = polyglot;
        try {
            this.workspace = Files.createTempDirectory("exxec-graalvm-").toRealPath();
        } catch (IOException e) {
            throw new EnvironmentStartException("could not create the workspace: " + e.getMessage(), e);
        }
        try {
            this.fileSystem = config.fileAccess() == GraalvmConfig.FileAccess.WORKSPACE
                    ? WorkspaceFileSystem.of(workspace)
                    : null;
        } catch (IOException e) {
            TreeRemoval.deleteTree(workspace);
            throw new EnvironmentStartException("could not open the workspace: " + e.getMessage(), e);
        }
        this.pool = new ThreadPoolExecutor(
                config.threads(),
                config.threads(),
                30,
                TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(),
                Polyglot.platformThreads(id() + "-context"));
        pool.allowCoreThreadTimeOut(true);
        this.contextOptions =
                new ContextOptions(fileSystem, fileSystem == null ? null : workspace, variables(Map.of()));
        this.capabilities = Capabilities.builder()
                .languages(polyglot.languages())
                .commands(config.commands() != null)
                .streaming(true)
                .files(true)
                .sessions(true)
                .isolation(Isolation.NONE)
                .location(Location.LOCAL)
                .network(NetworkAccess.NONE)
                .limits(ResourceLimits.NONE)
                .build();
        this.files = new dev.exxec.spi.HostWorkspaceFiles(
                this::checkOpen,
                workspace,
                workspace.toString(),
                true,
                "a graalvm environment's",
                null,
                settings.readLimit());
    }

    /** A typed builder; the same settings as the configuration keys of {@link GraalvmConfig}. */
    public static Builder builder() {
        return new Builder();
    }

    /** Creates an environment from configuration keys (see {@link GraalvmConfig#KEYS}). */
    public static ExecutionEnvironment create(Map<String, ?> config) {
        return Exxec.environment(GraalvmProvider.ID, config);
    }

    /** Builds graalvm environments; not thread-safe. */
    public static final class Builder extends SettingsBuilder<Builder> {
        private int threads = GraalvmConfig.defaults().threads();
        private int spareContexts = GraalvmConfig.DEFAULT_SPARES;
        private GraalvmConfig.FileAccess fileAccess = GraalvmConfig.FileAccess.NONE;
        private @Nullable String commands;
        private int maxStuck = GraalvmConfig.defaults().maxStuck();

        private Builder() {}

        /** Platform threads running calls at once. */
        public Builder threads(int threads) {
            this.threads = threads;
            return this;
        }

        /** Fresh contexts per language kept ready for the next calls; 0 builds each on demand. */
        public Builder spareContexts(int spareContexts) {
            this.spareContexts = spareContexts;
            return this;
        }

        /** What files the code can reach. */
        public Builder fileAccess(GraalvmConfig.FileAccess fileAccess) {
            this.fileAccess = fileAccess;
            return this;
        }

        /** The provider that runs {@code executeCommand} ({@code local}, {@code sandbox}...). */
        public Builder commands(String providerId) {
            this.commands = providerId;
            return this;
        }

        /**
         * How many graalvm calls of the JVM may be left running past their deadline (in code that
         * cannot be interrupted) before this environment refuses new calls.
         */
        public Builder maxStuck(int maxStuck) {
            this.maxStuck = maxStuck;
            return this;
        }

        /** Creates the environment on the {@code graalvm} provider found by {@link Exxec}. */
        public ExecutionEnvironment build() {
            GraalvmConfig config =
                    new GraalvmConfig(settings(), threads, spareContexts, fileAccess, commands, maxStuck);
            return ((GraalvmProvider) Exxec.provider(GraalvmProvider.ID)).create(config);
        }
    }

    @Override
    public Capabilities capabilities() {
        return capabilities;
    }

    /** Where the workspace is on the host. */
    Path workspace() {
        return workspace;
    }

    @Override
    protected String unsupportedLanguageMessage(Language language) {
        String why = Polyglot.missing(language, polyglot.languages());
        return super.unsupportedLanguageMessage(language) + (why == null ? "" : ": " + why);
    }

    @Override
    protected ExecutionResult runCode(
            Code code, Language language, Duration timeout, String executionId, @Nullable EventSink sink) {
        Guest guest = Guest.of(language);
        Map<String, String> env = variables(code.env());
        Path cwd = cwd(code.cwd());
        Spares fresh = spares.computeIfAbsent(
                language,
                l -> new Spares(polyglot, guest, contextOptions, config.spareContexts(), id() + "-spare-" + l.id()));
        if (isClosed()) {
            fresh.close(); // made while the environment closed: the call fails at its start
        }
        ExecutionRun.Spec spec = new ExecutionRun.Spec(
                executionId,
                guest.description(),
                ExecutionRun.Kind.CODE,
                timeout,
                settings.outputLimit(),
                settings.stopOnOutputLimit(),
                null,
                ResultChannel.none());
        String dir = cwd == null ? null : cwd.toString();
        // Always on a pool thread, never the caller's: a program that ignores its cancellation would
        // hold the caller past its deadline.
        polyglot.stragglers().check(id(), config.maxStuck());
        return run(
                spec,
                () -> ContextRun.start(
                        pool,
                        polyglot.watchdog(),
                        "",
                        poolStuck,
                        run -> program(run, fresh, code.source(), code.displayName(), env, dir)),
                sink);
    }

    /**
     * A call of the pool taken out of service: its thread stays busy, so the pool grows by one until
     * that thread comes back, and {@code threads} calls still run at once.
     */
    private final ContextRun.Stuck poolStuck = new ContextRun.Stuck() {
        @Override
        public void left() {
            polyglot.stragglers().left();
            resize(+1);
        }

        @Override
        public void back() {
            resize(-1);
            polyglot.stragglers().back();
        }
    };

    private void resize(int change) {
        synchronized (pool) {
            stuckThreads += change;
            int size = config.threads() + stuckThreads;
            if (size > pool.getMaximumPoolSize()) {
                pool.setMaximumPoolSize(size);
                pool.setCorePoolSize(size); // starts a thread for a call that waits in the queue
            } else {
                pool.setCorePoolSize(size);
                pool.setMaximumPoolSize(size);
            }
        }
    }

    /** For a session's call taken out of service: counted with the others. */
    ContextRun.Stuck sessionStuck(Runnable replaceThread) {
        return new ContextRun.Stuck() {
            @Override
            public void left() {
                polyglot.stragglers().left();
                replaceThread.run();
            }

            @Override
            public void back() {
                polyglot.stragglers().back();
            }
        };
    }

    /** Runs one program in a fresh context, on the thread of the call. */
    private static Outcome program(
            Call call, Spares fresh, String source, String name, Map<String, String> env, @Nullable String cwd)
            throws InterruptedException {
        Prepared context = fresh.take();
        try {
            context.out().to(call.out());
            context.err().to(call.err());
            call.attach(context.context());
            return context.driver().run(source, name, env, cwd);
        } finally {
            fresh.discardLater(context);
        }
    }

    /** The variables a call sees: a minimal PATH, HOME (the workspace), LANG, then the settings' and the call's. */
    Map<String, String> variables(Map<String, String> call) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.put("HOME", workspace.toString());
        env.put("LANG", "C.UTF-8");
        env.putAll(settings.env());
        env.putAll(call);
        return env;
    }

    /** The working directory of a call, where the code has files. */
    @Nullable
    Path cwd(@Nullable String own) {
        if (fileSystem == null) {
            return null;
        }
        String cwd = own != null ? own : settings.cwd();
        return cwd == null ? workspace : workspace.resolve(cwd).normalize();
    }

    @Override
    protected ExecutionResult runCommand(
            Command command, Duration timeout, String executionId, @Nullable EventSink sink) {
        ExecutionEnvironment delegate = commandDelegate();
        Command call = command.withTimeout(timeout);
        if (sink == null) {
            return delegate.executeCommand(call);
        }
        // The delegate's events carry its own ids; this environment's callers expect executionId.
        try (EventStream events = delegate.streamCommand(call)) {
            ExecutionResult last = null;
            for (ExecutionEvent e : events) {
                ExecutionEvent mine = switch (e) {
                    case ExecutionEvent.Started s -> new ExecutionEvent.Started(executionId, s.command(), s.pid());
                    case ExecutionEvent.Output o -> new ExecutionEvent.Output(executionId, o.stream(), o.text());
                    case ExecutionEvent.Completed c -> {
                        last = c.result();
                        yield new ExecutionEvent.Completed(executionId, c.exitCode(), c.duration(), c.result());
                    }
                    case ExecutionEvent.Failed f -> {
                        last = f.result();
                        yield new ExecutionEvent.Failed(
                                executionId, f.error(), f.errorType(), f.exitCode(), f.result());
                    }
                };
                sink.emit(mine);
            }
            if (last == null) {
                throw new dev.exxec.ExxecException("the command provider ended the stream without a result");
            }
            return last;
        }
    }

    private ExecutionEnvironment commandDelegate() {
        String provider = config.commands();
        if (provider == null) {
            throw new UnsupportedCapabilityException(
                    "environment " + id()
                            + " (graalvm) does not run shell commands: set 'commands' to a provider that does (local, sandbox)");
        }
        ExecutionEnvironment d = commands;
        if (d == null) {
            synchronized (this) {
                checkOpen();
                d = commands;
                if (d == null) {
                    Map<String, Object> delegateConfig = new LinkedHashMap<>();
                    String cwd = settings.cwd();
                    delegateConfig.put(
                            "cwd",
                            (cwd == null ? workspace : workspace.resolve(cwd).normalize()).toString());
                    settings.env().forEach((name, value) -> delegateConfig.put("env." + name, value));
                    delegateConfig.put("outputLimit", settings.outputLimit());
                    delegateConfig.put("stopOnOutputLimit", settings.stopOnOutputLimit());
                    commands = d = Exxec.environment(provider, delegateConfig);
                }
            }
        }
        return d;
    }

    @Override
    public WorkspaceFiles files() {
        checkOpen();
        return files;
    }

    /** Throws once closed; for the files. */
    void ensureOpen() {
        checkOpen();
    }

    @Override
    public CodeSession session(Language language) {
        require(capabilities.sessions(), "sessions");
        if (!capabilities.supports(language)) {
            throw new UnsupportedCapabilityException(unsupportedLanguageMessage(language));
        }
        GraalvmSession session = new GraalvmSession(this, Guest.of(language));
        sessions.add(session);
        if (isClosed()) {
            session.close();
            checkOpen();
        }
        return session;
    }

    void forget(GraalvmSession session) {
        sessions.remove(session);
    }

    GraalvmConfig config() {
        return config;
    }

    Polyglot polyglot() {
        return polyglot;
    }

    ThreadPoolExecutor pool() {
        return pool;
    }

    ContextOptions contextOptions() {
        return contextOptions;
    }

    /** Runs a session's call with the shared machinery: deadline, output capture, events. */
    ExecutionResult runSession(ExecutionRun.Spec spec, ExecutionRun.Launcher launcher) {
        return run(spec, launcher, null);
    }

    @Override
    protected void doClose() {
        for (GraalvmSession s : sessions) {
            s.close();
        }
        pool.shutdownNow();
        spares.values().forEach(Spares::close);
        ExecutionEnvironment d = commands;
        if (d != null) {
            d.close();
        }
        if (!settings.keepWorkspace()) {
            TreeRemoval.deleteTree(workspace);
        }
    }
}
