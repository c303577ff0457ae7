package dev.exxec.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Event;
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
import dev.exxec.docker.internal.CallSweeper;
import dev.exxec.docker.internal.ContainerExec;
import dev.exxec.docker.internal.ContainerKiller;
import dev.exxec.docker.internal.ContainerReaper;
import dev.exxec.docker.internal.DockerConnection;
import dev.exxec.docker.internal.PreparedImages;
import dev.exxec.docker.internal.ToolServers;
import dev.exxec.spi.AbstractEnvironment;
import dev.exxec.spi.BackgroundProcesses;
import dev.exxec.spi.DriverProtocol;
import dev.exxec.spi.EventSink;
import dev.exxec.spi.ExecutionRun;
import dev.exxec.spi.ForwardingExecProcess;
import dev.exxec.spi.InterpreterSession;
import dev.exxec.spi.ProcMasks;
import dev.exxec.spi.ResultChannel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
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
    static final String TOOLS = PreparedImages.TOOLS;
    private static final String COMPILED_DRIVER = PreparedImages.COMPILED_DRIVER;
    /** How long a call waits for what the calls before it left to be ended (the sweep's own bound, and a margin). */
    private static final Duration SWEEP_WAIT = Duration.ofSeconds(6);
    /** How long a call killed by signal 9 waits for the daemon's record of an OOM kill in the container. */
    private static final Duration OOM_EVENT_WAIT = Duration.ofMillis(500);

    private final DockerConfig config;
    private final DockerConnection docker;
    private final DockerClient client;
    private final String containerId;
    private final @Nullable String networkId;
    private final ToolServers toolServers;
    private final ContainerKiller containerKiller;
    private final Map<String, String> probe;
    private final Capabilities capabilities;
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
        String container = null;
        String network = null;
        ToolServers tools = ToolServers.none();
        try {
            PreparedImages.Prepared prepared = prepared(imageId);
            if (!config.toolServers().isEmpty()) {
                network = createToolNetwork();
                tools = ToolServers.start(client, network, config.toolServers());
            }
            try {
                container = createContainer(prepared.image(), network, tools);
            } catch (NotFoundException e) {
                // The prepared image was removed by hand since this JVM made it: made again.
                PreparedImages.forget(docker, imageId, config.python(), config.node(), UID, GID, prepared.image());
                prepared = prepared(imageId);
                container = createContainer(prepared.image(), network, tools);
            }
            client.startContainerCmd(container).exec();
            this.containerId = container;
            this.networkId = network;
            this.toolServers = tools;
            this.containerKiller = new ContainerKiller(client, container, TOOLS + "/killer.sh");
            this.probe = prepared.probe();
            if (!config.user().equals(DockerConfig.DEFAULT_USER) && !isRoot(config.user())) {
                // The image's /workspace is the default user's; another user is given it, as root, before
                // any code runs.
                rootExec(List.of("chown", ownerOf(config.user()), WORKSPACE), Duration.ofSeconds(10));
            }
            containerKiller.start(); // before any code: it must not need a process slot to kill
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

    /**
     * The daemon's container settings with {@code MaskedPaths} and {@code ReadonlyPaths}, which
     * docker-java's model lacks: exxec's masks of {@code /proc} and {@code /sys} (see {@link
     * ProcMasks}) in place of the runtime's defaults, which leave {@code key-users}, {@code kallsyms},
     * {@code kmsg} and {@code kpage*} readable. Jackson writes a value by its runtime class, so these
     * travel with the rest.
     */
    static final class MaskedHostConfig extends HostConfig {
        private static final long serialVersionUID = 1L;

        @com.fasterxml.jackson.annotation.JsonProperty("MaskedPaths")
        private final List<String> maskedPaths = java.util.stream.Stream.concat(
                        ProcMasks.MASKED_FILES.stream(), ProcMasks.MASKED_DIRECTORIES.stream())
                .toList();

        @com.fasterxml.jackson.annotation.JsonProperty("ReadonlyPaths")
        private final List<String> readonlyPaths = ProcMasks.READ_ONLY;
    }

    private String createContainer(String image, @Nullable String toolNetwork, ToolServers tools) {
        HostConfig host = new MaskedHostConfig()
                .withMemory(config.memoryBytes())
                .withMemorySwap(config.memoryBytes())
                .withPidsLimit((long) config.pids())
                .withReadonlyRootfs(config.readOnly())
                .withTmpFs(Map.of("/tmp", "rw,nosuid,nodev,size=" + config.tmpSizeBytes()))
                .withSecurityOpts(List.of("no-new-privileges", PreparedImages.SECCOMP))
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
        CreateContainerCmd create = client.createContainerCmd(image)
                .withName("exxec-" + id())
                .withLabels(labels)
                .withCmd("/bin/sh", "-c", KEEPER)
                .withEntrypoint(List.of())
                .withWorkingDir(WORKSPACE)
                .withVolumes(new Volume(WORKSPACE))
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

    /** The default user's uid and gid, for which every image is prepared. */
    private static final int UID = DockerConfig.DEFAULT_UID;

    private static final int GID = DockerConfig.DEFAULT_GID;

    /**
     * The image made ready for environments (see {@link PreparedImages}): exxec's tools in it,
     * read-only to the code, the default user's account and workspace; made once per image and JVM.
     */
    private PreparedImages.Prepared prepared(String imageId) {
        return PreparedImages.of(docker, imageId, config.python(), config.node(), UID, GID);
    }

    /** The login shell for terminals: bash where the image has it. */
    String loginShell() {
        return probe.containsKey("bash") ? probe.get("bash") : "/bin/sh";
    }

    private static String ownerOf(String user) {
        return user.contains(":") ? user : user + ":";
    }

    /** Whether a configured user is root, by name or uid. */
    static boolean isRoot(String user) {
        String name = user.contains(":") ? user.substring(0, user.indexOf(':')) : user;
        return name.equals("root") || name.equals("0");
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

    /** Throws when the environment is closed, or broken (see {@link #ensureUsable()}). */
    void ensureOpen() {
        checkOpen();
        ensureUsable();
    }

    /**
     * Throws once exxec stopped the container because a kill did not end a call ({@link
     * #failClosed}): nothing that runs there can be trusted any more.
     */
    void ensureUsable() {
        String why = broken;
        if (why != null) {
            throw new dev.exxec.ExxecException(why);
        }
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

    /**
     * A working directory as the code sees it: relative to the workspace, or absolute in it.
     *
     * @throws IllegalArgumentException when it leads outside the workspace, before anything runs
     */
    String cwd(@Nullable String cwd) {
        if (cwd == null) {
            return settings.cwd() == null
                    ? WORKSPACE
                    : java.nio.file.Path.of(WORKSPACE)
                            .resolve(settings.cwd())
                            .normalize()
                            .toString();
        }
        if (!DockerConfig.insideWorkspace(cwd)) {
            throw new IllegalArgumentException(
                    "working directory " + cwd + " is outside the container's workspace " + WORKSPACE);
        }
        return java.nio.file.Path.of(WORKSPACE).resolve(cwd).normalize().toString();
    }

    /**
     * Starts an exec through run.sh, which announces the call so that it can be killed later, once
     * what calls that finished before left behind is gone (see {@link CallSweeper}).
     */
    ContainerExec start(List<String> command, List<String> env, String cwd, boolean tty) {
        checkOpen();
        ensureUsable();
        sweeper.awaitSwept(SWEEP_WAIT);
        // Docker gives every process HOSTNAME; the code gets only what it was given.
        boolean ownHostname = env.stream().anyMatch(v -> v.startsWith("HOSTNAME="));
        List<String> argv = new ArrayList<>(List.of("/bin/sh", TOOLS + "/run.sh", ownHostname ? "-" : "HOSTNAME"));
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
            sweeper.add(pid, startTime);
        }

        @Override
        public boolean confirms() {
            return !isClosed() && broken == null; // else the container goes, or went, with everything
        }

        @Override
        public void survived(ContainerExec exec) {
            failClosed(exec);
        }
    };

    /** Calls that ended normally: what they left is ended at once, and the next call waits for that. */
    private final CallSweeper sweeper = new CallSweeper(this::sweep, "exxec-docker-sweep");

    /** Why the environment is broken, once it is: a kill did not end a call and the container was stopped. */
    private volatile @Nullable String broken;

    /**
     * A kill did not end a call's exec: whatever runs kill.sh and the sweep in the container (its
     * /bin/sh, /proc, the script itself) was changed or defeated, which code running as root can do.
     * Nothing in the container can be trusted to end a call any more, so exxec stops the whole
     * container from outside (its processes die with its first one) and refuses later calls.
     */
    private void failClosed(ContainerExec exec) {
        synchronized (this) {
            if (broken == null) {
                broken = "environment " + id() + " is broken: a call still ran after exxec killed it (the"
                        + " Docker daemon showed its exec " + exec.execId().substring(0, 12) + " running), so"
                        + " something in the container defeated exxec's killer, as code running as root can;"
                        + " exxec stopped the container: close this environment and start a new one";
            }
        }
        try {
            client.killContainerCmd(containerId).exec();
        } catch (RuntimeException e) {
            // stopped or removed already
        }
    }

    /** Has kill.sh end calls, as root, through exxec's killer in the container, and waits for it (a few seconds at most). */
    private void sweep(List<long[]> calls) {
        if (isClosed() || broken != null) {
            return; // the container is gone or stopped, and everything in it
        }
        if (containerKiller.kill(calls, KILL_WAIT)) {
            return;
        }
        // No killer could be reached (code running as root may kill it): kill.sh in an exec of its own.
        List<String> command = new ArrayList<>(List.of("/bin/sh", TOOLS + "/kill.sh"));
        for (long[] call : calls) {
            command.add(Long.toString(call[0]));
            command.add(Long.toString(call[1]));
        }
        try {
            rootExec(command, KILL_WAIT);
        } catch (RuntimeException e) {
            // the container went away meanwhile: so did the calls
        }
    }

    /** How long a kill of calls may take in the container (kill.sh repeats until nothing is left). */
    private static final Duration KILL_WAIT = Duration.ofSeconds(5);

    /** Runs a helper as root to its end and returns its standard output. */
    String rootExec(List<String> command, Duration timeout) {
        return new String(helper(command, "0", null, HELPER_OUTPUT, timeout).stdout(), StandardCharsets.UTF_8);
    }

    /**
     * Runs a helper (not through run.sh) as {@code user} to its end.
     *
     * @param input what it reads on standard input, or null for nothing
     * @param outputLimit most bytes of its standard output kept
     */
    ContainerExec.Outcome helper(
            List<String> command, String user, byte @Nullable [] input, int outputLimit, Duration timeout) {
        ensureUsable();
        return ContainerExec.run(client, containerId, command, user, input, outputLimit, timeout);
    }

    /** Most bytes of a helper's standard output kept by default (a listing of a large directory is the largest). */
    static final int HELPER_OUTPUT = 64 << 20;

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
                DriverProtocol.request(header, code),
                new ResultChannel.Marker(marker));
        return run(spec, () -> new Call(java.time.Instant.now(), start(command, env, cwd, false)), sink);
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
        return run(spec, () -> new Call(java.time.Instant.now(), start(argv, env, cwd, false)), sink);
    }

    /**
     * An exec that, when the run concludes with a kill by signal 9 that exxec did not send, asks the
     * daemon whether the container's memory limit did it; and whose failure says so when the
     * environment broke under it.
     */
    private final class Call extends ForwardingExecProcess {
        private volatile boolean killedByUs;
        /** Before the exec was made: an OOM kill the daemon recorded earlier was another call's. */
        private final java.time.Instant started;

        Call(java.time.Instant started, ContainerExec exec) {
            super(exec);
            this.started = started;
        }

        @Override
        public void kill() {
            killedByUs = true;
            delegate.kill();
        }

        @Override
        public ExecutionResult conclude(ExecutionResult result) {
            String why = broken;
            if (why != null && !result.success()) {
                return result.toBuilder()
                        .error(
                                java.util.Objects.requireNonNullElse(result.error(), "the call failed") + "; " + why,
                                result.errorType(),
                                result.traceback())
                        .build();
            }
            if (!result.success() && result.exitCode() == 128 + 9 && !killedByUs && memoryLimitKilled(started)) {
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

    /** The daemon's OOM events of this container that a call was already told about, by their time. */
    private final Set<Long> claimedOoms = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * Whether the daemon recorded an OOM kill in the container since {@code since} that no other call
     * was told about. The daemon's record, not the container's cgroup files read from inside: code
     * running as root could replace the program that reads them, and so forge or hide the verdict.
     * Only kills during the call count: one an earlier call survived (its child was killed, it went
     * on) is not a later call's verdict.
     */
    private boolean memoryLimitKilled(java.time.Instant since) {
        long sinceNanos = since.getEpochSecond() * 1_000_000_000L + since.getNano();
        CompletableFuture<Boolean> found = new CompletableFuture<>();
        ResultCallback.Adapter<Event> events = new ResultCallback.Adapter<>() {
            @Override
            public void onNext(Event event) {
                Long time = event.getTimeNano();
                if (time != null && time >= sinceNanos && claimedOoms.add(time)) {
                    found.complete(true);
                }
            }

            @Override
            public void onError(Throwable error) {
                found.complete(false);
            }

            @Override
            public void onComplete() {
                found.complete(false);
            }
        };
        try {
            // From the call's start (the daemon's clock is this host's for a local daemon; a remote one's
            // skew can only make a kill go unreported as the memory limit's, never blame a wrong call).
            client.eventsCmd()
                    .withContainerFilter(containerId)
                    .withEventFilter("oom")
                    .withSince(Long.toString(since.getEpochSecond()))
                    .exec(events);
            return found.get(OOM_EVENT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException | RuntimeException e) {
            return false; // no record in time: not the memory limit, as far as anyone can tell
        } finally {
            try {
                events.close();
            } catch (IOException e) {
                // closed already
            }
        }
    }

    /**
     * A session: one interpreter in the container, an exec through run.sh like every call, running the
     * session driver; interrupted with SIGINT at a deadline, sent as the code's own user.
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
                        // The shell's kill: an image need not have a kill program. As the code's user,
                        // which the interpreter runs as: no more power than that is needed.
                        helper(
                                List.of("/bin/sh", "-c", "kill -INT \"$1\"", "sh", Long.toString(pid)),
                                config.user(),
                                null,
                                4096,
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
