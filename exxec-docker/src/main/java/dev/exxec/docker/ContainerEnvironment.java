package dev.exxec.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Ulimit;
import com.github.dockerjava.api.model.Volume;
import dev.exxec.Capabilities;
import dev.exxec.Code;
import dev.exxec.Command;
import dev.exxec.EnvironmentStartException;
import dev.exxec.ExecutionResult;
import dev.exxec.Isolation;
import dev.exxec.Language;
import dev.exxec.Location;
import dev.exxec.NetworkAccess;
import dev.exxec.Processes;
import dev.exxec.ProviderUnavailableException;
import dev.exxec.ResourceLimits;
import dev.exxec.Terminals;
import dev.exxec.WorkspaceFiles;
import dev.exxec.docker.internal.Archives;
import dev.exxec.docker.internal.ContainerExec;
import dev.exxec.docker.internal.ContainerReaper;
import dev.exxec.docker.internal.DockerConnection;
import dev.exxec.docker.internal.ToolServers;
import dev.exxec.spi.AbstractEnvironment;
import dev.exxec.spi.BackgroundProcesses;
import dev.exxec.spi.DriverProtocol;
import dev.exxec.spi.EventSink;
import dev.exxec.spi.ExecutionRun;
import dev.exxec.spi.ForwardingExecProcess;
import dev.exxec.spi.InterpreterSession;
import dev.exxec.spi.LeftoverCalls;
import dev.exxec.spi.ResultChannel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A container per environment, an exec per call. See {@link DockerEnvironment} for what it offers.
 */
final class ContainerEnvironment extends AbstractEnvironment {
    static final String WORKSPACE = "/workspace";
    static final String TOOLS = "/opt/exxec";
    private static final List<String> SCRIPTS = List.of("run.sh", "kill.sh", "files.sh", "probe.sh");

    private final DockerConfig config;
    private final DockerConnection docker;
    private final DockerClient client;
    private final String containerId;
    private final @Nullable String networkId;
    private final ToolServers toolServers;
    private final Map<String, String> probe;
    private final Capabilities capabilities;
    private final int uid;
    private final int gid;
    private final ContainerFiles files;
    private final BackgroundProcesses processes;
    private final ContainerTerminals terminals;

    ContainerEnvironment(DockerConfig config) {
        super(DockerProvider.ID, config.settings());
        this.config = config;
        this.docker = DockerConnection.to(DockerConnection.endpoint(config.host()));
        this.client = docker.client();
        ContainerReaper.sweep(docker);
        String imageId = ensureImage();
        Probed known = PROBED.get(probeKey(imageId));
        String container = null;
        String network = null;
        ToolServers tools = ToolServers.none();
        try {
            if (!config.toolServers().isEmpty()) {
                network = createToolNetwork();
                tools = ToolServers.start(client, network, config.toolServers());
            }
            container = createContainer(network, tools);
            client.startContainerCmd(container).exec();
            this.containerId = container;
            this.networkId = network;
            this.toolServers = tools;
            installTools(known);
            this.probe = known != null ? known.found() : probe(imageId);
            if (config.user() != null) {
                rootExec(List.of("chown", ownerOf(config.user()), WORKSPACE), Duration.ofSeconds(10));
                String[] ids = new String(
                                helper(List.of("/bin/sh", "-c", "id -u; id -g"), config.user(), Duration.ofSeconds(10))
                                        .stdout(),
                                StandardCharsets.UTF_8)
                        .trim()
                        .split("\\s+");
                this.uid = ids.length == 2 ? Integer.parseInt(ids[0]) : 0;
                this.gid = ids.length == 2 ? Integer.parseInt(ids[1]) : 0;
            } else {
                this.uid = 0;
                this.gid = 0;
            }
        } catch (RuntimeException e) {
            // Nothing half-made stays behind.
            tools.close();
            if (container != null) {
                removeQuietly(container);
            }
            if (network != null) {
                removeNetworkQuietly(network);
            }
            close();
            if (e instanceof dev.exxec.ExxecException) {
                throw e;
            }
            throw new EnvironmentStartException(
                    "the container of image " + config.image() + " did not start: " + DockerConnection.rootMessage(e),
                    e);
        }
        this.capabilities = declared();
        this.files = new ContainerFiles(this);
        this.processes = new BackgroundProcesses(
                spec -> start(
                        List.of("/bin/sh", "-c", spec.command()), environment(spec.env()), cwd(spec.cwd()), false),
                this::checkOpen,
                this::isClosed,
                settings.outputLimit());
        this.terminals = new ContainerTerminals(this);
    }

    // ---- start

    /** Makes sure the image is on the daemon's machine, pulling it as configured; returns its id. */
    private String ensureImage() {
        String image = config.image();
        boolean present = isPresent(image);
        if (config.pull() == DockerConfig.Pull.NEVER && !present) {
            throw new ProviderUnavailableException("image " + image + " is not on the Docker daemon's machine and"
                    + " 'pull' is never; build it (scripts/docker-images.sh builds " + DockerConfig.DEFAULT_IMAGE
                    + ") or pull it");
        }
        if (config.pull() == DockerConfig.Pull.ALWAYS || !present) {
            try {
                int colon = image.lastIndexOf(':');
                boolean tagged = colon > image.lastIndexOf('/');
                // The callback keeps a failure to itself: docker-java's default would also log it at
                // ERROR on the caller's console, beside the exception that already names it.
                var pull = new com.github.dockerjava.api.command.PullImageResultCallback() {
                    volatile Throwable failure;

                    @Override
                    public void onError(Throwable t) {
                        failure = t;
                        onComplete();
                    }
                };
                client.pullImageCmd(tagged ? image.substring(0, colon) : image)
                        .withTag(tagged ? image.substring(colon + 1) : "latest")
                        .exec(pull)
                        .awaitCompletion(5, TimeUnit.MINUTES);
                if (pull.failure instanceof RuntimeException failure) {
                    throw failure;
                } else if (pull.failure != null) {
                    throw new IllegalStateException(pull.failure);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new dev.exxec.ExecutionCancelledException("interrupted while pulling " + image, e);
            } catch (RuntimeException e) {
                if (!present || !isPresent(image)) {
                    throw new ProviderUnavailableException(
                            "image " + image + " is not on the Docker daemon's machine"
                                    + " and pulling it failed (" + DockerConnection.rootMessage(e)
                                    + "); build it (scripts/"
                                    + "docker-images.sh builds " + DockerConfig.DEFAULT_IMAGE + ") or make a registry"
                                    + " reachable",
                            e);
                }
            }
            if (!isPresent(image)) {
                throw new ProviderUnavailableException("image " + image + " could not be pulled");
            }
        }
        return client.inspectImageCmd(image).exec().getId();
    }

    private boolean isPresent(String image) {
        try {
            client.inspectImageCmd(image).exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    private String createToolNetwork() {
        // Internal: no route out; the host is reachable only at the network's gateway, where the
        // tool servers' forwarders listen.
        return client.createNetworkCmd()
                .withName("exxec-" + id())
                .withInternal(true)
                .withLabels(ContainerReaper.labels(id()))
                .exec()
                .getId();
    }

    private String createContainer(@Nullable String toolNetwork, ToolServers tools) {
        HostConfig host = HostConfig.newHostConfig()
                .withMemory(config.memoryBytes())
                .withMemorySwap(config.memoryBytes())
                .withPidsLimit((long) config.pids())
                .withReadonlyRootfs(config.readOnly())
                .withTmpFs(Map.of("/tmp", "rw,nosuid,nodev,size=" + config.tmpSizeBytes()))
                .withSecurityOpts(List.of("no-new-privileges"))
                .withCapDrop(Capability.ALL)
                .withCapAdd(
                        Capability.CHOWN,
                        Capability.DAC_OVERRIDE,
                        Capability.FOWNER,
                        Capability.FSETID,
                        Capability.KILL,
                        Capability.SETGID,
                        Capability.SETUID)
                .withUlimits(new Ulimit[] {
                    new Ulimit("fsize", FILE_SIZE, FILE_SIZE), new Ulimit("nofile", OPEN_FILES, OPEN_FILES)
                })
                .withNetworkMode(toolNetwork != null ? toolNetwork : config.network());
        if (config.cpus() != null) {
            host.withNanoCPUs((long) (config.cpus() * 1e9));
        }
        if (config.runtime() != null) {
            host.withRuntime(config.runtime());
        }
        if (!config.mounts().isEmpty()) {
            host.withBinds(config.mounts().stream().map(Bind::parse).toList());
        }
        if (!tools.hosts().isEmpty()) {
            host.withExtraHosts(tools.hosts().toArray(String[]::new));
        }
        Map<String, String> labels = new LinkedHashMap<>(config.labels());
        labels.putAll(ContainerReaper.labels(id()));
        CreateContainerCmd create = client.createContainerCmd(config.image())
                .withName("exxec-" + id())
                .withLabels(labels)
                .withCmd("/bin/sh", "-c", KEEPER)
                .withEntrypoint(List.of())
                .withWorkingDir(WORKSPACE)
                .withVolumes(new Volume(WORKSPACE), new Volume(TOOLS))
                .withEnv("HOME=" + WORKSPACE, "LANG=C.UTF-8")
                .withHostConfig(host);
        return create.exec().getId();
    }

    /**
     * The container's first process, which keeps it running and reaps the orphans of calls. Code
     * running as root may {@code kill(-1, SIGKILL)}: that kills every process of the container but its
     * first, which a signal from inside cannot kill, so the first process is this shell and not a
     * child of docker's init: it restarts its sleep when killed. {@code wait} reaps any child, orphans
     * re-parented to it too.
     */
    private static final String KEEPER =
            "trap '' HUP INT QUIT TERM USR1 USR2; while :; do sleep 2147483647 & wait; done";

    static final long FILE_SIZE = 1L << 30;
    static final long OPEN_FILES = 4096;

    /** The drivers and the in-container scripts, into the tools volume; the compiled driver when known. */
    private void installTools(@Nullable Probed known) {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put(DriverProtocol.PYTHON_DRIVER, DriverProtocol.resource(DriverProtocol.PYTHON_DRIVER));
        entries.put(DriverProtocol.PYTHON_SUPPORT, DriverProtocol.resource(DriverProtocol.PYTHON_SUPPORT));
        entries.put(DriverProtocol.JAVASCRIPT_DRIVER, DriverProtocol.resource(DriverProtocol.JAVASCRIPT_DRIVER));
        entries.put(DriverProtocol.PYTHON_SESSION, DriverProtocol.resource(DriverProtocol.PYTHON_SESSION));
        entries.put(DriverProtocol.JAVASCRIPT_SESSION, DriverProtocol.resource(DriverProtocol.JAVASCRIPT_SESSION));
        if (known != null && known.compiledDriver() != null) {
            entries.put(COMPILED_DRIVER, known.compiledDriver());
        }
        for (String script : SCRIPTS) {
            entries.put(script, script(script));
        }
        try {
            Archives.upload(client, containerId, TOOLS, entries, 0, 0, 0644);
        } catch (IOException e) {
            throw new EnvironmentStartException(
                    "could not install exxec's drivers in the container: " + e.getMessage(), e);
        }
    }

    private static byte[] script(String name) {
        try (InputStream in = ContainerEnvironment.class.getResourceAsStream("/dev/exxec/docker/" + name)) {
            if (in == null) {
                throw new IllegalStateException("resource missing: " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static final String COMPILED_DRIVER = "python_driver.pyc";

    /**
     * What probe.sh found in an image, and the Python driver compiled for the image's Python: an
     * image's id names its content, so the next environment of the same image and interpreters skips
     * the probe and gets the compiled driver with the others.
     *
     * @param found probe.sh's key=value lines
     * @param compiledDriver the driver's .pyc, or null without Python
     */
    private record Probed(Map<String, String> found, byte @Nullable [] compiledDriver) {}

    private static final Map<String, Probed> PROBED = new java.util.concurrent.ConcurrentHashMap<>();

    private String probeKey(String imageId) {
        return docker.endpoint() + "\0" + imageId + "\0" + config.python() + "\0" + config.node();
    }

    /** What the image offers: interpreters (the Python driver is compiled for the image's Python), a shell. */
    private Map<String, String> probe(String imageId) {
        String out = rootExec(
                List.of("/bin/sh", TOOLS + "/probe.sh", config.python(), config.node()), Duration.ofSeconds(30));
        Map<String, String> found = new HashMap<>();
        for (String line : out.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                found.put(line.substring(0, eq), line.substring(eq + 1).trim());
            }
        }
        byte[] compiled = null;
        if (found.containsKey("python")) {
            try {
                compiled = Archives.read(client, containerId, TOOLS + "/" + COMPILED_DRIVER, 16 << 20);
            } catch (IOException | RuntimeException e) {
                return Map.copyOf(found); // not kept: the next environment probes again
            }
        }
        PROBED.put(probeKey(imageId), new Probed(Map.copyOf(found), compiled));
        return Map.copyOf(found);
    }

    /** The login shell for terminals: bash where the image has it. */
    String loginShell() {
        return probe.containsKey("bash") ? probe.get("bash") : "/bin/sh";
    }

    private static String ownerOf(String user) {
        return user.contains(":") ? user : user + ":";
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
        boolean isolated = config.network().equals("none") || networkId != null;
        return Capabilities.builder()
                .languages(languages)
                .commands(true)
                .streaming(true)
                .files(true)
                .processes(true)
                .terminals(true)
                .sessions(languages.contains(Language.PYTHON) || languages.contains(Language.JAVASCRIPT))
                .inheritEnv(false)
                .isolation(Isolation.CONTAINER)
                .location(docker.endpoint().startsWith("unix:") ? Location.LOCAL : Location.REMOTE)
                .network(
                        isolated
                                ? (networkId != null ? NetworkAccess.RESTRICTED : NetworkAccess.NONE)
                                : NetworkAccess.FULL)
                .limits(new ResourceLimits(config.memoryBytes(), config.pids(), null, FILE_SIZE, (int) OPEN_FILES))
                .build();
    }

    // ---- running

    @Override
    public Capabilities capabilities() {
        return capabilities;
    }

    @Override
    protected String unsupportedLanguageMessage(Language language) {
        return language + " is not available in image " + config.image() + ": "
                + switch (language) {
                    case PYTHON -> "no '" + config.python() + "' in it (config key 'python')";
                    case JAVASCRIPT -> "no '" + config.node() + "' in it (config key 'node')";
                    case TYPESCRIPT -> "no TypeScript runner (tsx, ts-node or deno) in it";
                };
    }

    DockerClient client() {
        return client;
    }

    DockerConnection docker() {
        return docker;
    }

    String containerId() {
        return containerId;
    }

    DockerConfig config() {
        return config;
    }

    /** The uid and gid files written for the code get. */
    int uid() {
        return uid;
    }

    int gid() {
        return gid;
    }

    void ensureOpen() {
        checkOpen();
    }

    /** The variables of an exec: HOME and LANG (PATH is the image's), the environment's, the call's. */
    List<String> environment(Map<String, String> call) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("HOME", WORKSPACE);
        env.put("LANG", "C.UTF-8");
        env.putAll(settings.env());
        env.putAll(call);
        List<String> list = new ArrayList<>();
        env.forEach((k, v) -> list.add(k + "=" + v));
        return list;
    }

    /** A working directory as the code sees it: relative to the workspace, or absolute. */
    String cwd(@Nullable String cwd) {
        String base = settings.cwd() == null
                ? WORKSPACE
                : java.nio.file.Path.of(WORKSPACE).resolve(settings.cwd()).toString();
        return cwd == null
                ? base
                : java.nio.file.Path.of(WORKSPACE).resolve(cwd).normalize().toString();
    }

    /**
     * Starts an exec through run.sh, which announces the call so that it can be killed later, and
     * which first ends what calls that finished since the last sweep left behind.
     */
    ContainerExec start(List<String> command, List<String> env, String cwd, boolean tty) {
        checkOpen();
        // Docker gives every process HOSTNAME; the code gets only what it was given.
        boolean ownHostname = env.stream().anyMatch(v -> v.startsWith("HOSTNAME="));
        List<String> argv = new ArrayList<>(
                List.of("/bin/sh", TOOLS + "/run.sh", ownHostname ? "-" : "HOSTNAME", leftovers.take()));
        argv.addAll(command);
        return ContainerExec.start(client, containerId, argv, env, cwd, config.user(), tty, true, killer);
    }

    private final ContainerExec.Killer killer = new ContainerExec.Killer() {
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
    private final LeftoverCalls leftovers =
            new LeftoverCalls(Duration.ofMillis(250), this::sweep, "exxec-docker-sweep");

    /** Runs kill.sh as root for calls and waits for it (a few seconds at most). */
    private void sweep(List<long[]> calls) {
        if (isClosed()) {
            return; // the container is gone, and everything in it
        }
        List<String> command = new ArrayList<>(List.of("/bin/sh", TOOLS + "/kill.sh"));
        for (long[] call : calls) {
            command.add(Long.toString(call[0]));
            command.add(Long.toString(call[1]));
        }
        try {
            rootExec(command, Duration.ofSeconds(5));
        } catch (RuntimeException e) {
            // the container went away meanwhile: so did the calls
        }
    }

    /** Runs a helper as root to its end and returns its standard output. */
    String rootExec(List<String> command, Duration timeout) {
        return new String(helper(command, "0", timeout).stdout(), StandardCharsets.UTF_8);
    }

    /**
     * What a helper printed and how it ended.
     *
     * @param exitCode its exit code
     * @param stdout its standard output
     * @param stderr its standard error
     */
    record Helper(int exitCode, byte[] stdout, String stderr) {}

    /** Runs a helper (not through run.sh) as {@code user} to its end. */
    Helper helper(List<String> command, @Nullable String user, Duration timeout) {
        ContainerExec exec = ContainerExec.start(
                client, containerId, command, List.of(), "/", user, false, false, ContainerExec.Killer.NONE);
        try {
            exec.stdin().close();
            CompletableFuture<byte[]> out = collect(exec.stdout(), HELPER_OUTPUT);
            CompletableFuture<byte[]> err = collect(exec.stderr(), 64 * 1024);
            if (!exec.waitFor(timeout)) {
                exec.closeStreams();
                throw new dev.exxec.ExxecException("container helper " + command.get(command.size() > 1 ? 1 : 0)
                        + " did not finish in " + timeout);
            }
            try {
                // The helper ended: its output is all there, or held open by nothing of ours.
                CompletableFuture.allOf(out, err).get(2, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                exec.closeStreams();
            }
            return new Helper(exec.exitCode(), out.join(), new String(err.join(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            exec.closeStreams();
            Thread.currentThread().interrupt();
            throw new dev.exxec.ExecutionCancelledException("interrupted", e);
        }
    }

    /** Most bytes of a helper's standard output kept (a listing of a large directory is the largest). */
    private static final int HELPER_OUTPUT = 64 << 20;

    /** Reads a stream to its end on a virtual thread, keeping at most {@code limit} bytes. */
    private static CompletableFuture<byte[]> collect(InputStream in, int limit) {
        CompletableFuture<byte[]> result = new CompletableFuture<>();
        Thread.ofVirtual().name("exxec-docker-helper").start(() -> {
            byte[] kept = new byte[0];
            try {
                kept = in.readNBytes(limit);
                in.transferTo(OutputStream.nullOutputStream());
            } catch (IOException e) {
                // the stream was closed: keep what came
            }
            result.complete(kept);
        });
        return result;
    }

    @Override
    protected ExecutionResult runCode(
            Code code, Language language, Duration timeout, String executionId, @Nullable EventSink sink) {
        String marker = DriverProtocol.newMarker();
        Map<String, String> header = new LinkedHashMap<>();
        header.put("marker", marker);
        if (!code.env().containsKey("PWD") && !settings.env().containsKey("PWD")) {
            header.put("unsetenv", "PWD"); // set by docker exec, not by the caller
        }
        List<String> command = new ArrayList<>();
        switch (language) {
            case PYTHON -> {
                String[] python = probe.get("python").split(" ");
                command.add(python[0]);
                command.add(DriverProtocol.PYTHON_ISOLATED);
                command.add(TOOLS + "/" + COMPILED_DRIVER);
                header.put("support", TOOLS + "/" + DriverProtocol.PYTHON_SUPPORT);
            }
            case JAVASCRIPT -> {
                command.add(probe.get("node").split(" ")[0]);
                command.add(TOOLS + "/" + DriverProtocol.JAVASCRIPT_DRIVER);
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
                command.add(TOOLS + "/" + DriverProtocol.JAVASCRIPT_DRIVER);
                header.put("language", "typescript");
            }
        }
        List<String> env = environment(code.env());
        String cwd = cwd(code.cwd());
        ExecutionRun.Spec spec = new ExecutionRun.Spec(
                executionId,
                command.get(0),
                ExecutionRun.Kind.CODE,
                timeout,
                settings.outputLimit(),
                settings.stopOnOutputLimit(),
                DriverProtocol.request(header, code.source()),
                new ResultChannel.Marker(marker));
        return run(spec, () -> new Call(start(command, env, cwd, false)), sink);
    }

    @Override
    protected ExecutionResult runCommand(
            Command command, Duration timeout, String executionId, @Nullable EventSink sink) {
        List<String> env = environment(command.env());
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
        return run(spec, () -> new Call(start(argv, env, cwd, false)), sink);
    }

    /**
     * An exec that, when the run concludes with a kill by signal 9 that exxec did not send, asks the
     * container whether its memory limit did it.
     */
    private final class Call extends ForwardingExecProcess {
        private volatile boolean killedByUs;

        Call(ContainerExec exec) {
            super(exec);
        }

        @Override
        public void kill() {
            killedByUs = true;
            delegate.kill();
        }

        @Override
        public ExecutionResult conclude(ExecutionResult result) {
            long kills;
            if (!result.success() && result.exitCode() == 128 + 9 && !killedByUs && (kills = oomKills()) > oomSeen) {
                oomSeen = kills;
                return result.toBuilder()
                        .stopped(
                                dev.exxec.Stop.MEMORY_LIMIT,
                                "the container's memory limit was reached; the kernel killed the code",
                                result.traceback())
                        .build();
            }
            return result;
        }
    }

    private volatile long oomSeen;

    /** The container's count of kills by its memory limit (cgroup v1 or v2), 0 where unreadable. */
    private long oomKills() {
        try {
            String out = rootExec(
                    List.of(
                            "/bin/sh",
                            "-c",
                            "cat /sys/fs/cgroup/memory/memory.oom_control /sys/fs/cgroup/memory.events"
                                    + " 2>/dev/null"),
                    Duration.ofSeconds(5));
            for (String line : out.split("\n")) {
                if (line.startsWith("oom_kill ")) {
                    return Long.parseLong(line.substring("oom_kill ".length()).trim());
                }
            }
        } catch (RuntimeException e) {
            // unreadable: no evidence
        }
        return 0;
    }

    /**
     * A session: one interpreter in the container, an exec through run.sh like every call, running the
     * session driver; interrupted with SIGINT (sent as root) at a deadline.
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
                TOOLS,
                command -> start(command, environment(Map.of()), cwd(null), false),
                process -> {
                    Long pid = process.pid(); // run.sh became the interpreter: same pid
                    if (pid != null) {
                        // The shell's kill: an image need not have a kill program.
                        rootExec(
                                List.of("/bin/sh", "-c", "kill -INT \"$1\"", "sh", Long.toString(pid)),
                                Duration.ofSeconds(5));
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
        if (containerId != null) {
            removeQuietly(containerId); // everything in it goes with it
        }
        if (toolServers != null) {
            toolServers.close();
        }
        if (networkId != null) {
            removeNetworkQuietly(networkId);
        }
    }

    private void removeQuietly(String id) {
        try {
            client.removeContainerCmd(id)
                    .withForce(true)
                    .withRemoveVolumes(true)
                    .exec();
        } catch (NotFoundException e) {
            // already gone
        } catch (RuntimeException e) {
            ContainerReaper.remember(id); // the sweep tries again
        }
    }

    private void removeNetworkQuietly(String id) {
        try {
            client.removeNetworkCmd(id).exec();
        } catch (RuntimeException e) {
            // the sweep removes it with its containers
        }
    }

    @Override
    public String toString() {
        return "DockerEnvironment[" + id() + ", container " + (containerId == null ? "?" : containerId.substring(0, 12))
                + ", image " + config.image() + "]";
    }
}
