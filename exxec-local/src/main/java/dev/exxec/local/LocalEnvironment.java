package dev.exxec.local;

import dev.exxec.Capabilities;
import dev.exxec.Code;
import dev.exxec.Command;
import dev.exxec.ConfigException;
import dev.exxec.EnvironmentStartException;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.ExecutionResult;
import dev.exxec.Isolation;
import dev.exxec.Language;
import dev.exxec.Location;
import dev.exxec.NetworkAccess;
import dev.exxec.Processes;
import dev.exxec.ResourceLimits;
import dev.exxec.Terminals;
import dev.exxec.WorkspaceFiles;
import dev.exxec.local.internal.Interpreters;
import dev.exxec.local.internal.LeftoverSweep;
import dev.exxec.spi.AbstractEnvironment;
import dev.exxec.spi.DriverProtocol;
import dev.exxec.spi.EventSink;
import dev.exxec.spi.ExecutionRun;
import dev.exxec.spi.HostProcess;
import dev.exxec.spi.ResultChannel;
import dev.exxec.spi.SettingsBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * An environment on this machine: every execution starts a fresh interpreter process (Python 3,
 * Node.js, or a TypeScript runner), commands run through {@code /bin/sh -c}, files live in a
 * temporary workspace that is removed on close.
 *
 * <p>Each execution's process leads its own session; when the call ends, times out or is cancelled,
 * everything left in that session is killed. Processes see only {@code PATH} (a minimal one, led by
 * the interpreters' directories), {@code HOME} (the workspace), {@code LANG=C.UTF-8} and the
 * variables the caller set, unless {@code inheritEnv} is on.
 *
 * {@snippet :
 * try (ExecutionEnvironment env = LocalEnvironment.builder()
 *         .python("/usr/bin/python3")
 *         .timeout(Duration.ofSeconds(10))
 *         .env("GREETING", "hello")
 *         .build()) {
 *     env.execute("import os\n_result = os.environ['GREETING']").result(); // "hello"
 * }
 * }
 */
public final class LocalEnvironment extends AbstractEnvironment {
    static final String MINIMAL_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private final LocalConfig config;
    private final String hostPath = Interpreters.systemPath();
    private volatile @Nullable Capabilities capabilities;
    private volatile Interpreters.@Nullable Lookup<Interpreters.Python> python;
    private volatile Interpreters.@Nullable Lookup<Interpreters.Node> node;
    private volatile Interpreters.@Nullable Lookup<Interpreters.TypeScript> typescript;
    private final Path root;
    private final Path workspace;
    private final Path runDir;
    private final Path defaultCwd;
    private final String path;
    private final LocalFiles files;
    private final LocalProcesses processes;
    private final LocalTerminals terminals;

    LocalEnvironment(LocalConfig config) {
        super(LocalProvider.ID, config.settings());
        this.config = config;
        checkConfiguredInterpreters();
        try {
            LeftoverSweep.once();
            // A workspace meant to outlive the environment is named so that no sweep takes it.
            this.root =
                    Files.createTempDirectory(settings.keepWorkspace() ? "exxec-kept-" : LeftoverSweep.prefix("local"));
            this.workspace = Files.createDirectory(root.resolve("workspace"));
            this.runDir = Files.createDirectory(root.resolve("run"));
        } catch (IOException e) {
            close();
            throw new EnvironmentStartException(
                    "could not create the workspace in " + tempDir() + ": " + e.getMessage(), e);
        }
        try {
            this.defaultCwd = initialCwd(settings.cwd());
        } catch (RuntimeException e) {
            Interpreters.deleteTree(root);
            close();
            throw e;
        }
        this.path = searchPath();
        this.files = new LocalFiles(this);
        this.processes = new LocalProcesses(this);
        this.terminals = new LocalTerminals(this);
    }

    /** A builder for a local environment. */
    public static Builder builder() {
        return new Builder();
    }

    private static String tempDir() {
        return System.getProperty("java.io.tmpdir");
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
        String key = LocalConfig.keyOf(language);
        boolean configured = switch (language) {
            case PYTHON -> config.python() != null;
            case JAVASCRIPT -> config.node() != null;
            case TYPESCRIPT -> config.typescript() != null;
        };
        if (l.runtime() == null && configured) {
            // The user named this interpreter: that it does not work is a configuration error.
            throw new ConfigException(key, String.valueOf(l.problem()));
        }
        return l.runtime() != null;
    }

    private Path initialCwd(@Nullable String cwd) {
        if (cwd == null) {
            return workspace;
        }
        Path p = workspace.resolve(cwd).normalize();
        if (!Path.of(cwd).isAbsolute()) {
            try {
                Files.createDirectories(p); // a relative cwd lives in the fresh workspace
            } catch (IOException e) {
                throw new ConfigException("cwd", "could not create working directory " + p + ": " + e.getMessage(), e);
            }
        }
        if (!Files.isDirectory(p)) {
            throw new ConfigException("cwd", "config key 'cwd': directory " + p + " does not exist");
        }
        return p;
    }

    /**
     * PATH for the code: the directories where the interpreters' commands were found first (so
     * {@code python3} in a command is the interpreter {@code execute} uses), then a minimal system PATH.
     */
    private String searchPath() {
        Set<String> dirs = new LinkedHashSet<>();
        List<String> commands = new ArrayList<>();
        commands.add(config.python() != null ? config.python() : "python3");
        commands.add(config.node() != null ? config.node() : "node");
        commands.addAll(config.typescript() != null ? List.of(config.typescript()) : List.of("tsx", "ts-node", "deno"));
        for (String command : commands) {
            Interpreters.locate(command, hostPath)
                    .ifPresent(p -> dirs.add(p.getParent().toString()));
        }
        dirs.addAll(List.of(MINIMAL_PATH.split(":")));
        return String.join(":", dirs);
    }

    /**
     * What it can do. The first call resolves every language's interpreter (in parallel, once per
     * JVM); {@code execute} alone resolves only the language it runs.
     */
    @Override
    public Capabilities capabilities() {
        Capabilities c = capabilities;
        if (c == null) {
            Interpreters.Found found = Interpreters.find(config, hostPath);
            capabilities = c = Capabilities.builder()
                    .languages(found.languages())
                    .commands(true)
                    .streaming(true)
                    .files(true)
                    .processes(true)
                    .terminals(true)
                    .sessions(false)
                    .inheritEnv(true)
                    .isolation(Isolation.PROCESS)
                    .location(Location.LOCAL)
                    .network(NetworkAccess.FULL)
                    .limits(ResourceLimits.NONE)
                    .build();
        }
        return c;
    }

    @Override
    protected String unsupportedLanguageMessage(Language language) {
        return language + " is not available in this local environment: "
                + lookup(language).problem();
    }

    /** The configuration it was made with. */
    public LocalConfig config() {
        return config;
    }

    /** What runs a language here, or why nothing does; resolves its interpreter if needed. */
    public String describe(Language language) {
        return Interpreters.find(config, hostPath).describe(language);
    }

    Path workspace() {
        return workspace;
    }

    Path runDir() {
        return runDir;
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
            env.put("PATH", path);
            env.put("HOME", workspace.toString());
            env.put("LANG", "C.UTF-8");
        }
        env.putAll(settings.env());
        env.putAll(call);
        return env;
    }

    /** A working directory: the call's (relative to the workspace), else the environment's default. */
    Path cwd(@Nullable String cwd) {
        if (cwd == null) {
            return defaultCwd;
        }
        Path p = workspace.resolve(cwd).normalize();
        if (!Files.isDirectory(p)) {
            throw new IllegalArgumentException("working directory " + p + " does not exist");
        }
        return p;
    }

    /** Starts a host process with the given environment and working directory in its own session. */
    HostProcess start(List<String> command, Map<String, String> env, Path cwd, HostProcess.SessionMode mode)
            throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(cwd.toFile());
        Map<String, String> target = builder.environment();
        target.clear();
        target.putAll(env);
        return HostProcess.start(builder, mode);
    }

    @Override
    protected ExecutionResult runCode(
            Code code, Language language, Duration timeout, String executionId, @Nullable EventSink sink) {
        Path cwd = cwd(code.cwd());
        Map<String, String> env = environment(code.env());
        Path resultFile = runDir.resolve(executionId + ".json");
        Map<String, String> header = new LinkedHashMap<>();
        header.put("file", resultFile.toString());
        List<String> command = new ArrayList<>();
        HostProcess.SessionMode mode = HostProcess.SessionMode.SETSID;
        switch (language) {
            case PYTHON -> {
                Interpreters.Python python =
                        (Interpreters.Python) lookup(language).runtime();
                command.add(python.executable().toString());
                command.add(python.driver().toString());
                header.put("support", python.support().toString());
                header.put("setsid", "1");
                mode = HostProcess.SessionMode.SELF; // the driver calls setsid(): one exec less per run
            }
            case JAVASCRIPT -> {
                command.add(((Interpreters.Node) lookup(language).runtime())
                        .executable()
                        .toString());
                command.add(jsDriver().toString());
                header.put("language", "javascript");
            }
            case TYPESCRIPT -> {
                Interpreters.TypeScript ts =
                        (Interpreters.TypeScript) lookup(language).runtime();
                command.add(ts.executable().toString());
                if (ts.deno()) {
                    command.addAll(List.of("run", "--allow-all", "--quiet"));
                    // Deno's cache would otherwise land in HOME, the workspace.
                    env.putIfAbsent("DENO_DIR", runDir.resolve("deno").toString());
                }
                command.add(jsDriver().toString());
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
                DriverProtocol.request(header, code.source()),
                new ResultChannel.File(resultFile));
        HostProcess.SessionMode session = mode;
        return run(spec, () -> start(command, env, cwd, session), sink);
    }

    private static Path jsDriver() {
        return Interpreters.javascriptDriver();
    }

    @Override
    protected ExecutionResult runCommand(
            Command command, Duration timeout, String executionId, @Nullable EventSink sink) {
        Path cwd = cwd(command.cwd());
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
        return run(spec, () -> start(argv, env, cwd, HostProcess.SessionMode.SETSID), sink);
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
        if (processes != null) {
            processes.killAll();
        }
        if (terminals != null) {
            terminals.killAll();
        }
        if (root != null) {
            if (settings.keepWorkspace()) {
                Interpreters.deleteTree(runDir);
            } else {
                Interpreters.deleteTree(root);
            }
        }
    }

    /** Builds a local environment with typed settings; the same settings as the config keys. */
    public static final class Builder extends SettingsBuilder<Builder> {
        private @Nullable String python;
        private @Nullable String node;
        private @Nullable String typescript;

        private Builder() {}

        /** The Python interpreter (command or path). */
        public Builder python(String python) {
            this.python = python;
            return this;
        }

        /** The Node.js executable (command or path). */
        public Builder node(String node) {
            this.node = node;
            return this;
        }

        /** The TypeScript runner: tsx, ts-node or deno (command or path). */
        public Builder typescript(String typescript) {
            this.typescript = typescript;
            return this;
        }

        /** Creates the environment; close it when done. */
        public ExecutionEnvironment build() {
            return new LocalEnvironment(new LocalConfig(settings(), python, node, typescript));
        }
    }

    @Override
    public String toString() {
        return "LocalEnvironment[" + id() + ", workspace " + workspace + "]";
    }
}
