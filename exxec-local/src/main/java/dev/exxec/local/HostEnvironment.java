package dev.exxec.local;

import dev.exxec.Capabilities;
import dev.exxec.Code;
import dev.exxec.CodeSession;
import dev.exxec.Command;
import dev.exxec.ConfigException;
import dev.exxec.EnvironmentStartException;
import dev.exxec.ExecutionResult;
import dev.exxec.FileOperationException;
import dev.exxec.Language;
import dev.exxec.Processes;
import dev.exxec.Stop;
import dev.exxec.Terminals;
import dev.exxec.WorkspaceFiles;
import dev.exxec.local.internal.CallLedger;
import dev.exxec.local.internal.Cgroups;
import dev.exxec.local.internal.Interpreters;
import dev.exxec.local.internal.LeftoverSweep;
import dev.exxec.spi.AbstractEnvironment;
import dev.exxec.spi.BackgroundProcesses;
import dev.exxec.spi.DriverProtocol;
import dev.exxec.spi.EventSink;
import dev.exxec.spi.ExecProcess;
import dev.exxec.spi.ExecutionRun;
import dev.exxec.spi.ForwardingExecProcess;
import dev.exxec.spi.HostProcess;
import dev.exxec.spi.HostWorkspaceFiles;
import dev.exxec.spi.InterpreterSession;
import dev.exxec.spi.ResultChannel;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * An environment on this machine, for both the {@code local} and the {@code sandbox} provider: every
 * execution starts a fresh interpreter process (Python 3, Node.js, or a TypeScript runner), commands
 * run through {@code /bin/sh -c}, files live in a temporary workspace that is removed on close. The
 * {@link Confinement} decides how a process is launched (as is, or in a sandbox); all the rest is
 * one code path.
 */
final class HostEnvironment extends AbstractEnvironment {
    static final String MINIMAL_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private final LocalConfig config;
    private final Confinement confinement;
    private final String hostPath = Interpreters.systemPath();
    private volatile @Nullable Capabilities capabilities;
    private volatile Interpreters.@Nullable Lookup<Interpreters.Python> python;
    private volatile Interpreters.@Nullable Lookup<Interpreters.Node> node;
    private volatile Interpreters.@Nullable Lookup<Interpreters.TypeScript> typescript;
    private volatile @Nullable Set<Path> installations;
    private volatile @Nullable String path;
    private final Path root;
    private final Path workspace;
    private final Path runDir;
    private final Cwd defaultCwd;
    private final HostWorkspaceFiles files;
    private final BackgroundProcesses processes;
    private final LocalTerminals terminals;

    /** A working directory on the host and as the code sees it. */
    record Cwd(Path host, String visible) {}

    HostEnvironment(LocalConfig config, Confinement confinement) {
        super(confinement.providerId(), config.settings());
        this.config = config;
        this.confinement = confinement;
        if (settings.inheritEnv() && confinement.confined()) {
            close();
            throw new ConfigException(
                    "inheritEnv", "config key 'inheritEnv': a sandbox never passes the host's variables to the code");
        }
        checkConfiguredInterpreters();
        try {
            LeftoverSweep.once();
            // A workspace meant to outlive the environment is named so that no sweep takes it.
            this.root = settings.keepWorkspace() ? Files.createTempDirectory("exxec-kept-") : LeftoverSweep.create();
            this.workspace = Files.createDirectory(root.resolve("workspace"));
            this.runDir = Files.createDirectory(root.resolve("run"));
            confinement.start(root, workspace);
        } catch (IOException e) {
            close();
            throw new EnvironmentStartException(
                    "could not create the workspace in " + System.getProperty("java.io.tmpdir") + ": " + e.getMessage(),
                    e);
        }
        this.files = new HostWorkspaceFiles(
                this::checkOpen,
                workspace,
                confinement.visibleWorkspace(),
                confinement.confined(),
                "a sandbox's",
                confinement instanceof Sandboxed s && s.user().drops()
                        ? new HostWorkspaceFiles.Owner(s.user().uid(), s.user().gid())
                        : null,
                settings.readLimit());
        try {
            this.defaultCwd = initialCwd(settings.cwd());
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        this.processes = new BackgroundProcesses(
                spec -> start(
                        List.of("/bin/sh", "-c", spec.command()),
                        environment(spec.env()),
                        cwd(spec.cwd()),
                        Confinement.Use.PROCESS,
                        false),
                this::checkOpen,
                this::isClosed,
                settings.outputLimit());
        this.terminals = new LocalTerminals(this);
    }

    /**
     * An interpreter the user named must exist: a typo must not silently disable a language. Only its
     * file is checked here; asking it for its version waits until the language is first used, so an
     * environment starts without running any interpreter.
     */
    private void checkConfiguredInterpreters() {
        record Setting(@Nullable String value, String key) {}
        for (Setting s : List.of(
                new Setting(config.python(), "python"),
                new Setting(config.node(), "node"),
                new Setting(config.typescript(), "typescript"))) {
            if (s.value() != null && Interpreters.locate(s.value(), hostPath).isEmpty()) {
                close();
                throw new ConfigException(
                        s.key(),
                        "interpreter '" + s.value() + "' set by config key '" + s.key()
                                + "' was not found or is not executable");
            }
        }
    }

    /** Resolves a language's interpreter on first use (cached for the JVM). */
    private Interpreters.Lookup<?> lookup(Language language) {
        return switch (language) {
            case PYTHON -> {
                var l = python;
                if (l == null) {
                    python = l = Interpreters.python(config, hostPath);
                }
                yield l;
            }
            case JAVASCRIPT -> {
                var l = node;
                if (l == null) {
                    node = l = Interpreters.node(config, hostPath);
                }
                yield l;
            }
            case TYPESCRIPT -> {
                var l = typescript;
                if (l == null) {
                    typescript = l = Interpreters.typescript(config, hostPath);
                }
                yield l;
            }
        };
    }

    @Override
    protected boolean supports(Language language) {
        Interpreters.Lookup<?> l = lookup(language);
        boolean configured = switch (language) {
            case PYTHON -> config.python() != null;
            case JAVASCRIPT -> config.node() != null;
            case TYPESCRIPT -> config.typescript() != null;
        };
        if (l.runtime() == null && configured) {
            // The user named this interpreter: that it does not work is a configuration error.
            throw new ConfigException(LocalConfig.keyOf(language), String.valueOf(l.problem()));
        }
        return l.runtime() != null;
    }

    /**
     * The environment's working directory. A relative one is made in the fresh workspace when it is
     * missing, through the same race-free walk as {@code files()}; one that leads out of the
     * workspace is never made, and a sandbox refuses it before anything is created.
     */
    private Cwd initialCwd(@Nullable String cwd) {
        if (cwd == null) {
            return new Cwd(workspace, confinement.visibleWorkspace());
        }
        String visibleWorkspace = confinement.visibleWorkspace();
        String visible = Path.of(visibleWorkspace).resolve(cwd).normalize().toString();
        boolean inside = visible.equals(visibleWorkspace) || visible.startsWith(visibleWorkspace + "/");
        if (!inside && confinement.confined() && shared(visible) == null) {
            throw new ConfigException(
                    "cwd",
                    "config key 'cwd': working directory " + visible + " is outside the sandbox's workspace "
                            + visibleWorkspace);
        }
        if (inside && !Path.of(cwd).isAbsolute()) {
            try {
                files.mkdir(visible);
            } catch (FileOperationException e) {
                throw new ConfigException(
                        "cwd", "could not create working directory " + cwd + ": " + e.getMessage(), e);
            }
        }
        try {
            return cwd(cwd);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("cwd", "config key 'cwd': " + e.getMessage());
        }
    }

    /**
     * PATH for the code: the directories of the interpreters first (so {@code python3} in a command
     * is the interpreter {@code execute} uses), then a minimal system PATH. Locally these are where
     * the commands were found; in a sandbox, where the real executables are (a launcher shim would
     * need files the sandbox does not show).
     */
    private String path() {
        String p = path;
        if (p == null) {
            Set<String> dirs = new LinkedHashSet<>();
            if (confinement.confined()) {
                Interpreters.Found found = Interpreters.find(config, hostPath);
                if (found.python() != null) {
                    dirs.add(found.python().executable().getParent().toString());
                }
                if (found.node() != null) {
                    dirs.add(found.node().executable().getParent().toString());
                }
            } else {
                List<String> commands = new ArrayList<>();
                commands.add(config.python() != null ? config.python() : "python3");
                commands.add(config.node() != null ? config.node() : "node");
                commands.addAll(
                        config.typescript() != null ? List.of(config.typescript()) : List.of("tsx", "ts-node", "deno"));
                for (String command : commands) {
                    Interpreters.locate(command, hostPath)
                            .ifPresent(f -> dirs.add(f.getParent().toString()));
                }
            }
            dirs.addAll(List.of(MINIMAL_PATH.split(":")));
            path = p = String.join(":", dirs);
        }
        return p;
    }

    /** The interpreters' installation directories, which a sandbox shows read-only. */
    private Collection<Path> installations() {
        Set<Path> i = installations;
        if (i == null) {
            i = new LinkedHashSet<>();
            if (confinement.confined()) {
                Interpreters.Found found = Interpreters.find(config, hostPath);
                if (found.python() != null) {
                    i.addAll(found.python().installation());
                }
                if (found.node() != null) {
                    i.add(found.node().installation());
                }
                if (found.typescript() != null) {
                    i.addAll(found.typescript().installation());
                }
            }
            installations = i;
        }
        return i;
    }

    /**
     * What it can do. The first call resolves every language's interpreter (in parallel, once per
     * JVM); {@code execute} alone resolves only the language it runs.
     */
    @Override
    public Capabilities capabilities() {
        Capabilities c = capabilities;
        if (c == null) {
            capabilities = c =
                    confinement.capabilities(Interpreters.find(config, hostPath).languages());
        }
        return c;
    }

    /**
     * Commands run through {@code /bin/sh} whatever interpreters there are: answered without starting
     * any, which {@link #capabilities()} would, to learn the languages.
     */
    @Override
    protected boolean runsCommands() {
        Capabilities c = capabilities;
        return (c != null ? c : confinement.capabilities(Set.of())).commands();
    }

    @Override
    protected String unsupportedLanguageMessage(Language language) {
        return language + " is not available in this " + providerId() + " environment: "
                + lookup(language).problem();
    }

    Path workspace() {
        return workspace;
    }

    void ensureOpen() {
        checkOpen();
    }

    /** The variables a process gets: the minimal set (or the host's), the environment's, the call's. */
    Map<String, String> environment(Map<String, String> call) {
        Map<String, String> env = new LinkedHashMap<>();
        if (settings.inheritEnv()) {
            env.putAll(System.getenv());
            env.putIfAbsent("LANG", "C.UTF-8");
        } else {
            env.putAll(confinement.baseVariables(path()));
        }
        env.putAll(settings.env());
        env.putAll(call);
        return env;
    }

    /**
     * A working directory: the call's (relative to the workspace, or absolute as the code sees paths),
     * else the environment's default.
     *
     * @throws IllegalArgumentException when it does not exist, or a sandbox cannot see it
     */
    Cwd cwd(@Nullable String cwd) {
        if (cwd == null) {
            return defaultCwd;
        }
        String visibleWorkspace = confinement.visibleWorkspace();
        String visible = Path.of(visibleWorkspace).resolve(cwd).normalize().toString();
        Path host;
        if (visible.equals(visibleWorkspace) || visible.startsWith(visibleWorkspace + "/")) {
            host = workspace.resolve(
                    Path.of(visibleWorkspace).relativize(Path.of(visible)).toString());
        } else if (!confinement.confined()) {
            host = Path.of(visible);
        } else if (shared(visible) != null) {
            // A directory the sandbox binds at its own path: bwrap enters it inside the sandbox, where a
            // link in it resolves in the sandbox's view; the host side starts in the workspace.
            if (!Files.isDirectory(Path.of(visible))) {
                throw new IllegalArgumentException("working directory " + visible + " does not exist");
            }
            return new Cwd(workspace, visible);
        } else {
            throw new IllegalArgumentException("working directory " + visible + " is outside the sandbox's workspace "
                    + visibleWorkspace + " and the directories it binds");
        }
        boolean directory;
        try {
            // Through files(): confined, a link the code made is resolved inside the workspace, never followed out.
            directory = files.isDirectory(visible);
        } catch (FileOperationException e) {
            throw new IllegalArgumentException("working directory " + visible + ": " + e.getMessage(), e);
        }
        if (!directory) {
            throw new IllegalArgumentException("working directory " + visible + " does not exist");
        }
        return new Cwd(host, visible);
    }

    /** The directory a confined process shares with the host that holds {@code visible}, or null. */
    private @Nullable Path shared(String visible) {
        Path p = Path.of(visible);
        for (Path dir : confinement.sharedDirectories()) {
            if (p.startsWith(dir)) {
                return dir;
            }
        }
        return null;
    }

    /** Starts a process as the confinement launches it, with exactly the given variables. */
    ExecProcess start(List<String> command, Map<String, String> env, Cwd cwd, Confinement.Use use, boolean pythonDriver)
            throws IOException {
        Confinement.Launch launch = confinement.prepare(command, env, cwd.host(), cwd.visible(), use, installations());
        ProcessBuilder builder =
                new ProcessBuilder(launch.command()).directory(launch.hostCwd().toFile());
        Map<String, String> target = builder.environment();
        target.clear();
        target.putAll(launch.environment());
        HostProcess process;
        try {
            process = HostProcess.start(builder, confinement.session(use, pythonDriver));
        } catch (IOException | RuntimeException e) {
            launch.abandon();
            throw e;
        }
        long pid = process.pid();
        try {
            launch.started(pid);
            CallLedger.track(pid); // ended by the keeper or the next start if this JVM dies first
            process.onExit().thenRun(() -> CallLedger.ended(pid));
        } catch (RuntimeException e) {
            process.kill(); // a process nobody will hold must not run on
            throw e;
        }
        return launch.lease() == null ? process : new Leased(process, launch.lease());
    }

    /** Prepares a terminal's launch; the caller closes the lease when the terminal ended. */
    Confinement.Launch prepareTerminal(List<String> command, Map<String, String> env, Cwd cwd) throws IOException {
        return confinement.prepare(command, env, cwd.host(), cwd.visible(), Confinement.Use.TERMINAL, installations());
    }

    @Override
    protected ExecutionResult runCode(
            Code code, Language language, Duration timeout, String executionId, @Nullable EventSink sink) {
        Cwd cwd = cwd(code.cwd());
        Map<String, String> env = environment(code.env());
        Map<String, String> header = new LinkedHashMap<>();
        Path resultFile = runDir.resolve(executionId + ".json");
        ResultChannel channel;
        if (confinement.resultFile()) {
            header.put("file", resultFile.toString());
            channel = new ResultChannel.File(resultFile);
        } else {
            String marker = DriverProtocol.newMarker();
            header.put("marker", marker);
            channel = new ResultChannel.Marker(marker);
        }
        if (confinement.confined()) {
            header.put("unsetenv", "PWD"); // bwrap sets it; the code gets only the variables it was given
        }
        List<String> command = new ArrayList<>();
        switch (language) {
            case PYTHON -> {
                Interpreters.Python py = (Interpreters.Python) lookup(language).runtime();
                command.add(py.executable().toString());
                command.add(DriverProtocol.PYTHON_ISOLATED);
                command.add(confinement.visible(py.driver()));
                header.put("support", confinement.visible(py.support()));
                if (!confinement.confined()) {
                    header.put("setsid", "1");
                }
            }
            case JAVASCRIPT -> {
                command.add(((Interpreters.Node) lookup(language).runtime())
                        .executable()
                        .toString());
                command.add(confinement.visible(Interpreters.javascriptDriver()));
                header.put("language", "javascript");
            }
            case TYPESCRIPT -> {
                Interpreters.TypeScript ts =
                        (Interpreters.TypeScript) lookup(language).runtime();
                command.add(ts.executable().toString());
                if (ts.deno()) {
                    // No configuration file found near the driver (/tmp is anyone's here) changes how it runs.
                    command.addAll(List.of("run", "--allow-all", "--quiet", "--no-config"));
                    // Deno's cache would otherwise land in HOME, the workspace.
                    env.putIfAbsent(
                            "DENO_DIR",
                            confinement.confined()
                                    ? "/tmp/deno"
                                    : runDir.resolve("deno").toString());
                }
                command.add(confinement.visible(Interpreters.javascriptDriver()));
                header.put("language", "typescript");
                header.put("transpiler", ts.transpiler());
            }
        }
        ExecutionRun.Spec spec = new ExecutionRun.Spec(
                executionId,
                command.get(0),
                ExecutionRun.Kind.CODE,
                timeout,
                settings.outputLimit(),
                settings.stopOnOutputLimit(),
                DriverProtocol.request(header, code),
                channel);
        boolean pythonDriver = language == Language.PYTHON;
        Zygote zygote = pythonDriver ? zygote() : null;
        if (zygote != null && ZYGOTE_WAIT) {
            zygote.awaitReady(Duration.ofSeconds(10));
        }
        if (zygote != null && zygote.isReady() && zygote.serves(env)) {
            // A fork of the started interpreter runs it: the request goes with the fork.
            byte[] request = spec.stdin();
            ExecutionRun.Spec forked = new ExecutionRun.Spec(
                    spec.id(),
                    spec.description(),
                    spec.kind(),
                    spec.timeout(),
                    spec.outputLimit(),
                    spec.stopOnOutputLimit(),
                    null,
                    spec.result());
            return run(
                    forked,
                    () -> {
                        try {
                            return zygote.fork(
                                    env,
                                    confinement.confined()
                                            ? cwd.visible()
                                            : cwd.host().toString(),
                                    request);
                        } catch (Zygote.Unavailable e) {
                            // the zygote is gone: a fresh interpreter, with the request on its input
                            ExecProcess p = start(command, env, cwd, Confinement.Use.CODE, true);
                            try (OutputStream in = p.stdin()) {
                                in.write(request);
                            }
                            return p;
                        }
                    },
                    sink);
        }
        return run(spec, () -> start(command, env, cwd, Confinement.Use.CODE, pythonDriver), sink);
    }

    @Override
    protected ExecutionResult runCommand(
            Command command, Duration timeout, String executionId, @Nullable EventSink sink) {
        Cwd cwd = cwd(command.cwd());
        Map<String, String> env = environment(command.env());
        ExecutionRun.Spec spec = new ExecutionRun.Spec(
                executionId,
                command.command(),
                ExecutionRun.Kind.COMMAND,
                timeout,
                settings.outputLimit(),
                settings.stopOnOutputLimit(),
                null,
                ResultChannel.none());
        List<String> argv = List.of("/bin/sh", "-c", command.command());
        return run(spec, () -> start(argv, env, cwd, Confinement.Use.COMMAND, false), sink);
    }

    /**
     * A session: one interpreter (Python or Node.js, launched as the environment launches code,
     * sandboxed the same way) running the session driver; interrupted with SIGINT at a deadline.
     */
    @Override
    public CodeSession session(Language language) {
        checkOpen();
        InterpreterSession.driver(language); // refuses TypeScript
        if (!supports(language)) {
            throw new dev.exxec.UnsupportedCapabilityException(unsupportedLanguageMessage(language));
        }
        Path executable;
        Path drivers;
        if (language == Language.PYTHON) {
            Interpreters.Python py = (Interpreters.Python) lookup(language).runtime();
            executable = py.executable();
            drivers = py.support().getParent();
        } else {
            executable = ((Interpreters.Node) lookup(language).runtime()).executable();
            drivers = Interpreters.javascriptDriver().getParent();
        }
        CodeSession session = InterpreterSession.of(
                language,
                executable.toString(),
                confinement.visible(drivers),
                command -> start(command, environment(Map.of()), defaultCwd, Confinement.Use.PROCESS, false),
                process -> {
                    if (process.pid() != null) {
                        Signals.interrupt(process.pid(), executable);
                    }
                },
                settings.timeout(),
                settings.outputLimit());
        sessions.removeIf(s -> ((InterpreterSession) s).isClosed());
        sessions.add(session);
        return session;
    }

    private final Set<CodeSession> sessions = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * Whether one-shot Python runs through a zygote: unconfined, or in a sandbox where each child can
     * get cgroups of its own (see {@link Sandboxed#zygotes}); off with the config key {@code zygote=false}
     * (for one environment) or -Dexxec.zygote=false (for the JVM).
     */
    private static final boolean ZYGOTE = !"false".equals(System.getProperty("exxec.zygote"));

    /**
     * With -Dexxec.zygote=wait, calls wait for the zygote to be ready instead of running in a fresh
     * interpreter meanwhile: so that a test suite runs (nearly) every one-shot Python call in a child.
     */
    private static final boolean ZYGOTE_WAIT = "wait".equals(System.getProperty("exxec.zygote"));

    /** Where a sandboxed zygote sees the directory of the calls' FIFOs (a call sees an empty one). */
    private static final String SANDBOX_FIFOS = "/run/exxec-fifos";

    private @Nullable Zygote zygote;
    private boolean zygoteFailed;

    /** The environment's zygote, started on first use; null where there is none (then a fresh process). */
    private synchronized @Nullable Zygote zygote() {
        if (!ZYGOTE || !config.zygote() || zygoteFailed || isClosed()) {
            return null;
        }
        if (confinement.confined() && !(confinement instanceof Sandboxed s && s.zygotes())) {
            return null;
        }
        Zygote z = zygote;
        if (z != null && z.isAlive()) {
            return z;
        }
        if (z != null) {
            z.close();
            if (z.served() == 0) {
                // It died before it forked a single call (an interpreter without what it needs, such as
                // os.pidfd_open): starting another would only cost each call a second interpreter.
                zygoteFailed = true;
                return null;
            }
        }
        try {
            Interpreters.Python py =
                    (Interpreters.Python) lookup(Language.PYTHON).runtime();
            Path script = py.support().resolveSibling(DriverProtocol.PYTHON_ZYGOTE);
            Path driver = py.support().resolveSibling(DriverProtocol.PYTHON_DRIVER);
            if (confinement instanceof Sandboxed sandboxed) {
                // The FIFOs' directory is the environment's own, outside the workspace.
                Path fifos = sandboxed.fifos();
                List<String> command = List.of(
                        py.executable().toString(),
                        DriverProtocol.PYTHON_ISOLATED,
                        confinement.visible(script),
                        confinement.visible(driver),
                        "--sandbox",
                        sandboxed.zygoteSettings(SANDBOX_FIFOS));
                Map<String, String> env = environment(Map.of());
                z = Zygote.startSandboxed(
                        sandboxed.prepareZygote(
                                command, env, defaultCwd.visible(), installations(), fifos, SANDBOX_FIFOS),
                        env,
                        fifos,
                        SANDBOX_FIFOS,
                        sandboxed::lease);
            } else {
                z = Zygote.start(
                        py.executable(),
                        script,
                        driver,
                        runDir.resolve("fifos"),
                        environment(Map.of()),
                        defaultCwd.host());
            }
        } catch (IOException | RuntimeException e) {
            zygoteFailed = true; // forking is not possible here: fresh processes from now on
            return null;
        }
        zygote = z;
        return z;
    }

    @Override
    public WorkspaceFiles files() {
        checkOpen();
        return files;
    }

    @Override
    public Processes processes() {
        checkOpen();
        return processes;
    }

    @Override
    public Terminals terminals() {
        checkOpen();
        return terminals;
    }

    @Override
    protected void doClose() {
        sessions.forEach(CodeSession::close);
        synchronized (this) {
            if (zygote != null) {
                zygote.close();
            }
        }
        if (processes != null) {
            processes.killAll();
        }
        if (terminals != null) {
            terminals.killAll();
        }
        confinement.close();
        if (root != null) {
            if (settings.keepWorkspace()) {
                Interpreters.deleteTree(runDir);
                Interpreters.deleteTree(root.resolve("etc"));
            } else {
                Interpreters.deleteTree(root);
            }
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + id() + ", " + providerId() + ", workspace " + workspace + "]";
    }

    /**
     * A sandboxed process with its call's cgroups: when it has ended, the result learns whether the
     * memory limit killed it, and the cgroups are removed.
     */
    private static final class Leased extends ForwardingExecProcess {
        private final Cgroups.Lease lease;

        Leased(HostProcess process, Cgroups.Lease lease) {
            super(process);
            this.lease = lease;
        }

        /**
         * Kills the process tree, then whatever is still in the call's cgroups: a sandbox's pid 1 whose
         * monitor was killed while it started (before it armed its parent-death signal) is no longer
         * the tree's, but it is still the call's.
         */
        @Override
        public void kill() {
            super.kill();
            lease.killAll();
        }

        @Override
        public ExecutionResult conclude(ExecutionResult result) {
            try {
                // The kernel's count in the call's cgroup, read on the host: nothing the code wrote.
                if (!result.success() && lease.oomKilled()) {
                    return result.toBuilder()
                            .stopped(
                                    Stop.MEMORY_LIMIT,
                                    "the sandbox's memory limit was reached; the kernel killed the code",
                                    result.traceback())
                            .build();
                }
                return result;
            } finally {
                lease.close();
            }
        }
    }
}
