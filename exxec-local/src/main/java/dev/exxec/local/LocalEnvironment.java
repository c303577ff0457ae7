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
import dev.exxec.spi.AbstractEnvironment;
import dev.exxec.spi.DriverProtocol;
import dev.exxec.spi.EnvironmentSettings;
import dev.exxec.spi.EventSink;
import dev.exxec.spi.ExecutionRun;
import dev.exxec.spi.HostProcess;
import dev.exxec.spi.ResultChannel;
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
    private final Interpreters.Found interpreters;
    private final Capabilities capabilities;
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
        this.interpreters = Interpreters.find(config);
        checkConfiguredInterpreters();
        this.capabilities = Capabilities.builder()
                .languages(interpreters.languages())
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
        try {
            this.root = Files.createTempDirectory("exxec-local-");
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

    /** An interpreter the user named must exist: a typo must not silently disable a language. */
    private void checkConfiguredInterpreters() {
        record Setting(@Nullable String value, Language language) {}
        for (Setting s : List.of(
                new Setting(config.python(), Language.PYTHON),
                new Setting(config.node(), Language.JAVASCRIPT),
                new Setting(config.typescript(), Language.TYPESCRIPT))) {
            if (s.value() != null && !interpreters.languages().contains(s.language())) {
                String key = LocalConfig.keyOf(s.language());
                close();
                throw new ConfigException(key, interpreters.describe(s.language()));
            }
        }
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

    /** PATH for the code: the interpreters' directories first, so `python3` in a command is the same one. */
    private String searchPath() {
        Set<String> dirs = new LinkedHashSet<>();
        if (interpreters.python() != null) {
            dirs.add(interpreters.python().executable().getParent().toString());
        }
        if (interpreters.node() != null) {
            dirs.add(interpreters.node().executable().getParent().toString());
        }
        if (interpreters.typescript() != null) {
            dirs.add(interpreters.typescript().executable().getParent().toString());
        }
        dirs.addAll(List.of(MINIMAL_PATH.split(":")));
        return String.join(":", dirs);
    }

    @Override
    public Capabilities capabilities() {
        return capabilities;
    }

    @Override
    protected String unsupportedLanguageMessage(Language language) {
        return language + " is not available in this local environment: " + interpreters.describe(language);
    }

    /** The configuration it was made with. */
    public LocalConfig config() {
        return config;
    }

    /** What runs each language here. */
    public String describe(Language language) {
        return interpreters.describe(language);
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
                Interpreters.Python python = interpreters.python();
                command.add(python.executable().toString());
                command.add(python.driver().toString());
                header.put("support", python.support().toString());
                header.put("setsid", "1");
                mode = HostProcess.SessionMode.SELF; // the driver calls setsid(): one exec less per run
            }
            case JAVASCRIPT -> {
                command.add(interpreters.node().executable().toString());
                command.add(jsDriver().toString());
                header.put("language", "javascript");
            }
            case TYPESCRIPT -> {
                Interpreters.TypeScript ts = interpreters.typescript();
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
    public static final class Builder {
        private EnvironmentSettings settings = EnvironmentSettings.DEFAULTS;
        private final Map<String, String> env = new LinkedHashMap<>();
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

        /** The default deadline of a call ({@link Duration#ZERO} for none). */
        public Builder timeout(Duration timeout) {
            settings = settings.withTimeout(timeout);
            return this;
        }

        /** The language of {@code execute(String)}. */
        public Builder language(Language language) {
            settings = settings.withLanguage(language);
            return this;
        }

        /** A variable set for every call. */
        public Builder env(String name, String value) {
            env.put(name, value);
            return this;
        }

        /** The default working directory (relative to the workspace, or absolute). */
        public Builder cwd(String cwd) {
            settings = settings.withCwd(cwd);
            return this;
        }

        /** Bytes kept per output stream; with {@code stop}, exceeding it stops the call. */
        public Builder outputLimit(long bytes, boolean stop) {
            settings = settings.withOutputLimit(bytes, stop);
            return this;
        }

        /** Whether the host's variables are passed to the code. */
        public Builder inheritEnv(boolean inherit) {
            settings = settings.withInheritEnv(inherit);
            return this;
        }

        /** Whether the workspace survives close. */
        public Builder keepWorkspace(boolean keep) {
            settings = settings.withKeepWorkspace(keep);
            return this;
        }

        /** Creates the environment; close it when done. */
        public ExecutionEnvironment build() {
            return new LocalEnvironment(new LocalConfig(settings.withEnv(env), python, node, typescript));
        }
    }

    @Override
    public String toString() {
        return "LocalEnvironment[" + id() + ", workspace " + workspace + "]";
    }
}
