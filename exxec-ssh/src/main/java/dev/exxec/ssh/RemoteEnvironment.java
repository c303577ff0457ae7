package dev.exxec.ssh;

import dev.exxec.Capabilities;
import dev.exxec.Code;
import dev.exxec.Command;
import dev.exxec.ConfigException;
import dev.exxec.EnvironmentStartException;
import dev.exxec.ExecutionResult;
import dev.exxec.ExxecException;
import dev.exxec.Isolation;
import dev.exxec.Language;
import dev.exxec.Location;
import dev.exxec.NetworkAccess;
import dev.exxec.Processes;
import dev.exxec.ProviderUnavailableException;
import dev.exxec.ResourceLimits;
import dev.exxec.Terminals;
import dev.exxec.WorkspaceFiles;
import dev.exxec.internal.Ids;
import dev.exxec.spi.AbstractEnvironment;
import dev.exxec.spi.BackgroundProcesses;
import dev.exxec.spi.DriverProtocol;
import dev.exxec.spi.EventSink;
import dev.exxec.spi.ExecutionRun;
import dev.exxec.spi.InterpreterSession;
import dev.exxec.spi.LeftoverCalls;
import dev.exxec.spi.ResultChannel;
import dev.exxec.ssh.internal.HostKeys;
import dev.exxec.ssh.internal.Keeper;
import dev.exxec.ssh.internal.Link;
import dev.exxec.ssh.internal.RemoteExec;
import dev.exxec.ssh.internal.Shell;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.apache.sshd.sftp.client.SftpClient;
import org.jspecify.annotations.Nullable;

/**
 * An environment on a host reached over SSH: one connection (more when many calls run at once), a
 * channel per call, a directory made by {@code mktemp -d} holding the workspace and exxec's scripts,
 * and a keeper process that removes that directory, and kills what the calls left, when the
 * environment closes or its connection is lost.
 */
final class RemoteEnvironment extends AbstractEnvironment {
    private static final List<String> SCRIPTS = List.of("run.sh", "kill.sh", "probe.sh");
    private static final String COMPILED_DRIVER = "python_driver.pyc";
    private static final Duration HELPER_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration OPEN_TIMEOUT = Duration.ofSeconds(30);

    private final SshConfig config;
    private final Link link;
    private final String root;
    private final String workspace;
    private final String tools;
    private final String remotePath;
    private final String loginShell;
    private final Map<String, String> probe;
    private final Capabilities capabilities;
    private final Keeper keeper;
    private final RemoteFiles files;
    private final BackgroundProcesses processes;
    private final RemoteTerminals terminals;

    RemoteEnvironment(SshConfig config) {
        super(SshProvider.ID, config.settings());
        this.config = config;
        Link.Options options = options(config);
        this.link = Link.connect(options);
        Keeper keeping = null;
        try {
            keeping = Keeper.start(
                    link,
                    new String(script("keeper.sh"), StandardCharsets.UTF_8),
                    config.python(),
                    config.node(),
                    settings.keepWorkspace(),
                    OPEN_TIMEOUT);
            Map<String, String> made = keeping.made();
            String dir = made.getOrDefault("root", "");
            if (!dir.startsWith("/")) {
                throw new EnvironmentStartException(
                        "the host " + config.target() + " did not make a directory with mktemp -d: " + made);
            }
            this.root = dir;
            this.workspace = root + "/w";
            this.tools = root + "/t";
            String path = made.getOrDefault("path", "");
            this.remotePath = path.isEmpty() ? "/usr/local/bin:/usr/bin:/bin" : path;
            String shell = made.getOrDefault("shell", "");
            this.loginShell = shell.startsWith("/") ? shell : "/bin/sh";
            install();
            this.probe = checked(keeping.probe(HELPER_TIMEOUT));
            this.keeper = keeping;
        } catch (IOException | RuntimeException e) {
            // Nothing half-made stays behind: the keeper removes the directory when its input ends.
            if (keeping != null) {
                keeping.close();
            }
            link.close();
            close();
            if (e instanceof ExxecException x) {
                throw x;
            }
            throw new EnvironmentStartException(
                    "the environment on " + config.target() + " did not start: " + e.getMessage(), e);
        }
        this.capabilities = declared();
        this.files = new RemoteFiles(this);
        this.processes = new BackgroundProcesses(
                spec -> start(
                        List.of("/bin/sh", "-c", spec.command()), environment(spec.env()), cwd(spec.cwd()), null, null),
                this::checkOpen,
                this::isClosed,
                settings.outputLimit());
        this.terminals = new RemoteTerminals(this);
    }

    // ---- start

    private static Link.Options options(SshConfig config) {
        List<KeyPair> keys = new ArrayList<>();
        List<String> names = new ArrayList<>();
        String passphrase = config.passphrase();
        if (config.privateKeyFile() != null) {
            Path file = config.privateKeyFile();
            byte[] text;
            try {
                text = Files.readAllBytes(file);
            } catch (IOException e) {
                throw new ConfigException(
                        "privateKeyFile", "config key 'privateKeyFile': cannot read " + file + ": " + e.getMessage());
            }
            keys.addAll(loadKeys("privateKeyFile", file.toString(), text, passphrase));
            names.add("the key " + file);
        }
        if (config.privateKey() != null) {
            keys.addAll(loadKeys(
                    "privateKey",
                    "the key given in 'privateKey'",
                    config.privateKey().getBytes(StandardCharsets.UTF_8),
                    passphrase));
            names.add("the key given in 'privateKey'");
        }
        Path agent = config.agentSocket() != null && Files.exists(config.agentSocket()) ? config.agentSocket() : null;
        if (keys.isEmpty() && config.password() == null) {
            // As ssh does without -i: the user's usual keys, where they open without a passphrase.
            Path ssh = Path.of(System.getProperty("user.home"), ".ssh");
            for (String name : List.of("id_ed25519", "id_ecdsa", "id_rsa")) {
                Path file = ssh.resolve(name);
                try {
                    if (Files.isReadable(file)) {
                        keys.addAll(loadKeys("privateKeyFile", file.toString(), Files.readAllBytes(file), null));
                        names.add("the key " + file);
                    }
                } catch (IOException | RuntimeException e) {
                    // encrypted or unreadable: not offered
                }
            }
        }
        return new Link.Options(
                config.host(),
                config.port(),
                config.user(),
                config.password(),
                keys,
                names,
                agent,
                new HostKeys(
                        config.knownHostsFile(),
                        config.host(),
                        config.port(),
                        config.hostKeyPolicy() == SshConfig.HostKeyPolicy.ACCEPT_NEW),
                config.connectTimeout(),
                config.authTimeout(),
                config.keepAlive(),
                config.maxSessions());
    }

    /**
     * Reads the key pairs in {@code text}. Whose fault a failure is comes from what the reader did,
     * not from its message: a key that asked for a passphrase is encrypted, so when it does not open,
     * the {@code passphrase} is wrong (or missing); a key that never asked is {@code key}'s fault (not a
     * key, or one this client does not read). Matching words in the message told a wrong passphrase of
     * an OpenSSH key ("Mismatched private key check values") as a bad {@code privateKeyFile}.
     */
    private static List<KeyPair> loadKeys(String key, String name, byte[] text, @Nullable String passphrase) {
        Passphrase asked = new Passphrase(passphrase);
        try (InputStream in = new java.io.ByteArrayInputStream(text)) {
            Iterable<KeyPair> loaded = SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName(name), in, asked);
            List<KeyPair> keys = new ArrayList<>();
            if (loaded != null) {
                loaded.forEach(keys::add);
            }
            if (keys.isEmpty()) {
                throw new ConfigException(key, "config key '" + key + "': " + name + " holds no private key");
            }
            return keys;
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            if (e instanceof ConfigException c) {
                throw c;
            }
            if (asked.asked) {
                throw new ConfigException(
                        "passphrase",
                        passphrase == null
                                ? name + " is encrypted: set 'passphrase'"
                                : "config key 'passphrase' does not open " + name + " (wrong passphrase)");
            }
            throw new ConfigException(
                    key,
                    "config key '" + key + "': " + name + " is not a private key this client reads (" + e.getMessage()
                            + ")");
        }
    }

    /** A key's passphrase, noting whether the key asked for it: only an encrypted one does. */
    private static final class Passphrase implements FilePasswordProvider {
        private final @Nullable String text;
        private volatile boolean asked;

        Passphrase(@Nullable String text) {
            this.text = text;
        }

        @Override
        public @Nullable String getPassword(
                org.apache.sshd.common.session.SessionContext session, NamedResource resource, int retryIndex) {
            asked = true;
            return text;
        }
    }

    /** The scripts and the drivers, into the environment's tools directory over SFTP. */
    private void install() {
        try {
            SftpClient sftp = link.sftp();
            for (String script : SCRIPTS) {
                upload(sftp, tools + "/" + script, script(script));
            }
            for (String driver : List.of(
                    DriverProtocol.PYTHON_DRIVER,
                    DriverProtocol.PYTHON_SUPPORT,
                    DriverProtocol.JAVASCRIPT_DRIVER,
                    DriverProtocol.PYTHON_SESSION,
                    DriverProtocol.JAVASCRIPT_SESSION)) {
                upload(sftp, tools + "/" + driver, DriverProtocol.resource(driver));
            }
        } catch (IOException e) {
            throw new EnvironmentStartException(
                    "could not copy exxec's drivers to " + config.target() + " over SFTP: " + e.getMessage(), e);
        }
    }

    /**
     * Writes a new file that only this user can read or write (0600 from its creation on, whatever the
     * SFTP server's umask), for secrets.
     */
    static void uploadPrivate(SftpClient sftp, String path, byte[] content) throws IOException {
        try (SftpClient.CloseableHandle file =
                sftp.open(path, SftpClient.OpenMode.Write, SftpClient.OpenMode.Create, SftpClient.OpenMode.Exclusive)) {
            sftp.setStat(file, new SftpClient.Attributes().perms(0600));
            for (int done = 0; done < content.length; ) {
                int n = Math.min(32 * 1024, content.length - done);
                sftp.write(file, done, content, done, n);
                done += n;
            }
        }
    }

    static void upload(SftpClient sftp, String path, byte[] content) throws IOException {
        try (OutputStream out =
                sftp.write(path, SftpClient.OpenMode.Write, SftpClient.OpenMode.Create, SftpClient.OpenMode.Truncate)) {
            out.write(content);
        }
    }

    private static byte[] script(String name) {
        try (InputStream in = RemoteEnvironment.class.getResourceAsStream("/dev/exxec/ssh/" + name)) {
            if (in == null) {
                throw new IllegalStateException("resource missing: " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The interpreters probe.sh found; a configured one that is not there fails the start. */
    private Map<String, String> checked(Map<String, String> found) {
        if (!found.containsKey("proc")) {
            throw new ProviderUnavailableException("the ssh provider needs a Linux host: it finds and kills a call's"
                    + " processes through /proc, and " + config.target() + " (" + found.getOrDefault("os", "unknown")
                    + ") has none");
        }
        if (config.pythonGiven() && !found.containsKey("python")) {
            throw new ProviderUnavailableException("config key 'python': '" + config.python()
                    + "' is not a Python 3 interpreter on " + config.target() + " (PATH " + remotePath + ")");
        }
        if (config.nodeGiven() && !found.containsKey("node")) {
            throw new ProviderUnavailableException("config key 'node': '" + config.node()
                    + "' is not a Node.js executable on " + config.target() + " (PATH " + remotePath + ")");
        }
        return Map.copyOf(found);
    }

    private Capabilities declared() {
        Set<Language> languages = EnumSet.noneOf(Language.class);
        if (probe.containsKey("python")) {
            languages.add(Language.PYTHON);
        }
        if (probe.containsKey("node")) {
            languages.add(Language.JAVASCRIPT);
            if (probe.containsKey("typescript")) {
                languages.add(Language.TYPESCRIPT);
            }
        }
        if (probe.containsKey("deno")) {
            languages.add(Language.TYPESCRIPT);
        }
        return Capabilities.builder()
                .languages(languages)
                .commands(true)
                .streaming(true)
                .files(true)
                .processes(true)
                .terminals(true)
                .sessions(languages.contains(Language.PYTHON) || languages.contains(Language.JAVASCRIPT))
                .inheritEnv(false)
                .isolation(Isolation.PROCESS)
                .location(Location.REMOTE)
                .network(NetworkAccess.FULL)
                .limits(ResourceLimits.NONE)
                .build();
    }

    // ---- running

    @Override
    public Capabilities capabilities() {
        return capabilities;
    }

    @Override
    protected String unsupportedLanguageMessage(Language language) {
        return language + " is not available on " + config.target() + ": "
                + switch (language) {
                    case PYTHON ->
                        "no Python 3 '" + config.python() + "' on its PATH (" + remotePath
                                + "); install it or set config key 'python'";
                    case JAVASCRIPT ->
                        "no '" + config.node() + "' on its PATH (" + remotePath
                                + "); install Node.js or set config key 'node'";
                    case TYPESCRIPT -> "no TypeScript runner (tsx, ts-node or deno) on its PATH (" + remotePath + ")";
                };
    }

    SshConfig config() {
        return config;
    }

    Link link() {
        return link;
    }

    String workspace() {
        return workspace;
    }

    /** What the host said it is ({@code uname -s -r}). */
    String os() {
        return probe.getOrDefault("os", "unknown");
    }

    String loginShell() {
        return probe.containsKey("bash") ? probe.get("bash") : loginShell;
    }

    void ensureOpen() {
        checkOpen();
    }

    /** The variables of a call: PATH (the host's), HOME (the workspace), LANG, the environment's, the call's. */
    Map<String, String> environment(Map<String, String> call) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", remotePath);
        env.put("HOME", workspace);
        env.put("LANG", "C.UTF-8");
        env.putAll(settings.env());
        env.putAll(call);
        return env;
    }

    /** A working directory as the code sees it: relative to the workspace, or absolute. */
    String cwd(@Nullable String cwd) {
        Path base = Path.of(workspace);
        if (cwd != null) {
            return base.resolve(cwd).normalize().toString();
        }
        return settings.cwd() == null
                ? workspace
                : base.resolve(settings.cwd()).normalize().toString();
    }

    /**
     * Starts a call through run.sh, which records and announces it so that it can be killed later,
     * and which first ends what calls that finished since the last sweep left behind.
     *
     * @param input a file on the host that becomes standard input (and is removed), or null
     */
    RemoteExec start(
            List<String> command, Map<String, String> env, String cwd, @Nullable String input, Link.@Nullable Pty pty)
            throws IOException {
        checkOpen();
        // The variables go to the host in a file only this user can read, which run.sh reads and
        // removes: never on a command line, where every user of the host sees them (/proc/PID/cmdline).
        // run.sh itself starts with the host's PATH alone.
        String variables = tools + "/env-" + Ids.next("v");
        SftpClient sftp = link.sftp();
        uploadPrivate(sftp, variables, Shell.exports(env).getBytes(StandardCharsets.UTF_8));
        // Changing directory sets PWD and OLDPWD; the code gets them only when the caller set them.
        List<String> unset = new ArrayList<>();
        for (String name : List.of("PWD", "OLDPWD")) {
            if (!env.containsKey(name)) {
                unset.add(name);
            }
        }
        List<String> words = new ArrayList<>(List.of(
                "env",
                "-i",
                "PATH=" + remotePath,
                "/bin/sh",
                tools + "/run.sh",
                root,
                leftovers.take(),
                cwd,
                input == null ? "-" : input,
                unset.isEmpty() ? "-" : String.join(",", unset),
                variables));
        words.addAll(command);
        try {
            return RemoteExec.start(link, "exec " + Shell.join(words), pty, true, killer, OPEN_TIMEOUT);
        } catch (IOException | RuntimeException e) {
            try {
                sftp.remove(variables); // run.sh did not take it (the keeper removes it at the end anyway)
            } catch (IOException | RuntimeException gone) {
                // taken after all, or the connection is gone
            }
            throw e;
        }
    }

    private final RemoteExec.Killer killer = new RemoteExec.Killer() {
        @Override
        public void kill(long pid, long startTime) {
            sweep(List.of(new long[] {pid, startTime}));
        }

        @Override
        public void release(long pid, long startTime) {
            leftovers.add(pid, startTime);
        }
    };

    /** Calls that ended normally, whose leftovers the next call's run.sh sweeps, or a sweep of their own. */
    private final LeftoverCalls leftovers = new LeftoverCalls(Duration.ofMillis(250), this::sweep, "exxec-ssh-sweep");

    /** Has the keeper kill calls, and waits for it (a few seconds at most). */
    private void sweep(List<long[]> calls) {
        if (isClosed()) {
            return; // the keeper killed them all
        }
        List<String> roots = new ArrayList<>();
        for (long[] call : calls) {
            roots.add(call[0] + ":" + call[1]);
        }
        keeper.kill(roots, Duration.ofSeconds(10));
    }

    @Override
    protected ExecutionResult runCode(
            Code code, Language language, Duration timeout, String executionId, @Nullable EventSink sink) {
        String marker = DriverProtocol.newMarker();
        Map<String, String> header = new LinkedHashMap<>();
        header.put("marker", marker);
        List<String> command = new ArrayList<>();
        switch (language) {
            case PYTHON -> {
                command.add(probe.get("python").split(" ")[0]);
                command.add(DriverProtocol.PYTHON_ISOLATED);
                command.add(tools + "/" + COMPILED_DRIVER);
                header.put("support", tools + "/" + DriverProtocol.PYTHON_SUPPORT);
            }
            case JAVASCRIPT -> {
                command.add(probe.get("node").split(" ")[0]);
                command.add(tools + "/" + DriverProtocol.JAVASCRIPT_DRIVER);
                header.put("language", "javascript");
            }
            case TYPESCRIPT -> {
                if (probe.containsKey("typescript")) {
                    command.add(probe.get("node").split(" ")[0]);
                    header.put("transpiler", probe.get("typescript").split(" ", 2)[1]);
                } else {
                    command.addAll(List.of(probe.get("deno"), "run", "--allow-all", "--quiet", "--no-config"));
                    header.put("transpiler", "native");
                }
                command.add(tools + "/" + DriverProtocol.JAVASCRIPT_DRIVER);
                header.put("language", "typescript");
            }
        }
        Map<String, String> env = environment(code.env());
        String cwd = cwd(code.cwd());
        // The program goes to the host as a file over SFTP, never inside a command line.
        String input = tools + "/in-" + executionId;
        byte[] request = DriverProtocol.request(header, code);
        ExecutionRun.Spec spec = new ExecutionRun.Spec(
                executionId,
                command.get(0),
                ExecutionRun.Kind.CODE,
                timeout,
                settings.outputLimit(),
                settings.stopOnOutputLimit(),
                null,
                new ResultChannel.Marker(marker));
        return run(
                spec,
                () -> {
                    upload(link.sftp(), input, request);
                    return start(command, env, cwd, input, null);
                },
                sink);
    }

    @Override
    protected ExecutionResult runCommand(
            Command command, Duration timeout, String executionId, @Nullable EventSink sink) {
        Map<String, String> env = environment(command.env());
        String cwd = cwd(command.cwd());
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
        return run(spec, () -> start(argv, env, cwd, null, null), sink);
    }

    /**
     * A session: one interpreter on the host, a channel through run.sh like every call, running the
     * session driver; the keeper interrupts it with SIGINT at a deadline.
     */
    @Override
    public dev.exxec.CodeSession session(Language language) {
        checkOpen();
        InterpreterSession.driver(language); // refuses TypeScript
        if (!capabilities.supports(language)) {
            throw new dev.exxec.UnsupportedCapabilityException(unsupportedLanguageMessage(language));
        }
        String interpreter =
                probe.get(language == Language.PYTHON ? "python" : "node").split(" ")[0];
        return InterpreterSession.of(
                language,
                interpreter,
                tools,
                command -> start(command, environment(Map.of()), cwd(null), null, null),
                process -> {
                    Long pid = process.pid(); // run.sh became the interpreter: same pid
                    if (pid != null) {
                        keeper.interrupt(pid, Duration.ofSeconds(5));
                    }
                },
                settings.timeout(),
                settings.outputLimit());
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
        if (link == null) {
            return; // the connection never came up
        }
        if (keeper != null) {
            keeper.close(); // it kills what calls left and removes the directory
        }
        link.close();
    }

    @Override
    public String toString() {
        return "SshEnvironment[" + id() + ", " + config.target() + (probe == null ? "" : ", " + os())
                + (root == null ? "" : ", " + root) + "]";
    }
}
