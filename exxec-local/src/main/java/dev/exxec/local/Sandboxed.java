package dev.exxec.local;

import dev.exxec.Capabilities;
import dev.exxec.ConfigException;
import dev.exxec.Isolation;
import dev.exxec.Language;
import dev.exxec.NetworkAccess;
import dev.exxec.ProviderUnavailableException;
import dev.exxec.ResourceLimits;
import dev.exxec.internal.Ids;
import dev.exxec.local.internal.Bubblewrap;
import dev.exxec.local.internal.Cgroups;
import dev.exxec.local.internal.Interpreters;
import dev.exxec.local.internal.SandboxUser;
import dev.exxec.spi.HostProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The {@code sandbox} provider's confinement: every process in a bubblewrap sandbox of its own (see
 * {@link Bubblewrap}), in per-call cgroups for memory and processes where the machine allows, with
 * rlimits for CPU time, file size and open files, under a system call filter.
 *
 * <p>A process is started through {@code /bin/sh}, the host's side of the sandbox, which joins the
 * call's cgroups, opens bubblewrap's arguments file and the compiled filter as descriptors 3 and 4,
 * and sets the rlimits before it {@code exec}s bubblewrap (through {@code setpriv}, which drops to the
 * sandbox's own host uid, when this JVM is root: see {@link SandboxUser}): so the limits hold from
 * the sandbox's first instruction. Nothing of the call reaches a host-side process: the shell and
 * bubblewrap run with a fixed environment of their own in {@code /}, and the call's variables, paths
 * and working directory travel in the arguments file (readable only by this JVM's user), which
 * bubblewrap applies inside. Bubblewrap dies with its parent and takes the whole PID namespace with
 * it, daemons included.
 */
final class Sandboxed implements Confinement {
    static final String WORKSPACE = "/workspace";
    static final String DRIVERS = "/opt/exxec";

    /** What the host-side shell and bubblewrap run with: nothing of any call. */
    private static final Map<String, String> HOST_SIDE = Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");

    private final SandboxPolicy policy;
    private final Bubblewrap.Probe bwrap;
    private final Cgroups cgroups;
    private final boolean cgroupLimits;
    private final SandboxUser user;
    private Path root = Path.of("/");
    private Path workspace = Path.of("/");
    private Path etc = Path.of("/");
    private Path drivers = Path.of("/");
    private Path arguments = Path.of("/");
    /** Where host paths the sandbox's user cannot reach are bound for it (see {@link Staging}). */
    private @Nullable Staging staging;

    Sandboxed(SandboxPolicy policy) {
        this(policy, Bubblewrap.probe(), Cgroups.detect());
    }

    /** With what was found on this machine given explicitly (for tests). */
    Sandboxed(SandboxPolicy policy, Bubblewrap.Probe bwrap, Cgroups cgroups) {
        this.policy = policy;
        this.bwrap = bwrap;
        if (!bwrap.works()) {
            // Never run code unsandboxed: a sandbox that cannot sandbox refuses to start.
            throw new ProviderUnavailableException(
                    "the sandbox provider cannot run here: " + bwrap.problem() + "; " + bwrap.fix());
        }
        // Never run code without a system call filter: an architecture the filter does not know
        // makes the sandbox refuse to start.
        dev.exxec.spi.SyscallFilter.nativeArchitecture();
        this.user = SandboxUser.of(policy.sandboxUid());
        if (user.problem() != null) {
            throw new ProviderUnavailableException("the sandbox provider cannot run here: " + user.problem()
                    + "; install util-linux, or run exxec as an ordinary user");
        }
        this.cgroups = cgroups;
        this.cgroupLimits = cgroups.available();
        if (!cgroupLimits && policy.explicitMemory()) {
            throw new ConfigException(
                    "memory",
                    "a memory limit cannot be enforced here: " + cgroups.description()
                            + "; remove 'memory' to run without one");
        }
        if (!cgroupLimits && policy.explicitProcesses()) {
            throw new ConfigException(
                    "pids",
                    "a process limit cannot be enforced here: " + cgroups.description()
                            + "; remove 'pids' to run without one");
        }
        for (Path p : policy.writableBinds()) {
            if (!user.writes(p)) {
                throw new ConfigException(
                        "bindRw",
                        "config key 'bindRw': the sandbox runs as " + user.describe() + ", which cannot write " + p
                                + (user.drops()
                                        ? " (exxec runs as root, so the sandbox runs code as an unprivileged uid: give"
                                                + " that uid write access, or bind the path read-only with 'bind')"
                                        : ""));
            }
        }
    }

    /** The policy. */
    SandboxPolicy policy() {
        return policy;
    }

    /** Who the sandbox is on the host. */
    SandboxUser user() {
        return user;
    }

    @Override
    public String providerId() {
        return SandboxProvider.ID;
    }

    /**
     * Prepares the environment's own files. When the sandbox runs as another uid, the environment's
     * directory becomes searchable (not listable) so that uid reaches its workspace, which it owns;
     * the run directory, where the arguments files and results live, stays this JVM's alone.
     */
    @Override
    public void start(Path root, Path workspace) throws IOException {
        this.root = root;
        this.workspace = workspace;
        this.etc = root.resolve("etc");
        this.drivers = Interpreters.driverRoot();
        this.arguments = Files.createDirectories(root.resolve("run").resolve("sandbox"));
        Bubblewrap.writeIdentity(etc, WORKSPACE);
        if (user.drops()) {
            Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx--x--x"));
            user.own(workspace);
        }
    }

    @Override
    public Capabilities capabilities(Set<Language> languages) {
        return Confinement.hostCapabilities(languages)
                .inheritEnv(false)
                .isolation(Isolation.OS_SANDBOX)
                .network(policy.network() == SandboxPolicy.Network.HOST ? NetworkAccess.FULL : NetworkAccess.NONE)
                .limits(limits())
                .build();
    }

    /** The limits really enforced: memory and processes only where cgroups are available. */
    ResourceLimits limits() {
        return new ResourceLimits(
                cgroupLimits ? policy.memoryBytes() : null,
                cgroupLimits ? policy.processes() : null,
                policy.cpuTime(),
                policy.fileSizeBytes(),
                policy.openFiles());
    }

    @Override
    public String visibleWorkspace() {
        return WORKSPACE;
    }

    @Override
    public boolean confined() {
        return true;
    }

    @Override
    public List<Path> sharedDirectories() {
        List<Path> shared = new ArrayList<>(policy.readOnlyBinds());
        shared.addAll(policy.writableBinds());
        return shared;
    }

    @Override
    public String visible(Path hostFile) {
        if (!hostFile.startsWith(drivers)) {
            throw new IllegalArgumentException(hostFile + " is not one of exxec's driver files");
        }
        return DRIVERS + "/" + drivers.relativize(hostFile);
    }

    @Override
    public boolean resultFile() {
        // Stdout is the way back: no host directory the code could write into is needed.
        return false;
    }

    @Override
    public HostProcess.SessionMode session(Use use, boolean pythonDriver) {
        // bwrap dies with its parent and takes its PID namespace along: killing it kills everything.
        return HostProcess.SessionMode.NONE;
    }

    @Override
    public Launch prepare(
            List<String> command,
            Map<String, String> env,
            Path hostCwd,
            String visibleCwd,
            Use use,
            Collection<Path> installations)
            throws IOException {
        Cgroups.Lease lease =
                cgroupLimits ? cgroups.create(Ids.random(16), policy.memoryBytes(), policy.processes()) : null;
        try {
            return launch(spec(env, visibleCwd, use == Use.TERMINAL, installations, null), command, lease, true);
        } catch (IOException | RuntimeException e) {
            if (lease != null) {
                lease.close();
            }
            throw e;
        }
    }

    private Bubblewrap.Spec spec(
            Map<String, String> env,
            String visibleCwd,
            boolean terminal,
            Collection<Path> installations,
            Bubblewrap.@Nullable ZygoteSpec zygote)
            throws IOException {
        Bubblewrap.Spec reachable = new Bubblewrap.Spec(
                policy,
                workspace,
                WORKSPACE,
                drivers,
                DRIVERS,
                etc,
                installations,
                visibleCwd,
                terminal,
                env,
                p -> p,
                SECCOMP_FD,
                zygote);
        Staging s = staging(Bubblewrap.sources(reachable));
        return s.staged().isEmpty() ? reachable : reachable.withSource(s::source);
    }

    /** The descriptor the host-side shell opens the compiled filter on (see {@link Bubblewrap#wrapper}). */
    private static final int SECCOMP_FD = 4;

    /**
     * The host command line of one sandbox: the wrapper shell with the call's cgroup files, the
     * arguments file and the filter, then (where needed) the entry into the staging's mount namespace,
     * the drop to the sandbox's uid, and bubblewrap reading its options from descriptor 3.
     */
    private Launch launch(Bubblewrap.Spec spec, List<String> command, Cgroups.@Nullable Lease lease, boolean cpuTime)
            throws IOException {
        Path file = Bubblewrap.writeArguments(arguments.resolve(Ids.random(12)), Bubblewrap.arguments(spec));
        Staging s = staging;
        List<String> argv = Bubblewrap.hostCommand(
                java.util.Objects.requireNonNull(bwrap.executable(), "bwrap"),
                Bubblewrap.wrapper(policy, cpuTime),
                lease == null ? List.of() : lease.procsFiles(),
                file,
                Interpreters.filter(
                        spec.zygote() == null
                                ? dev.exxec.spi.SyscallFilter.STRICT
                                : dev.exxec.spi.SyscallFilter.ZYGOTE),
                s == null ? List.of() : s.prefix(),
                user.prefix(),
                command);
        return new Launch(argv, Path.of("/"), HOST_SIDE, lease, file);
    }

    /**
     * Whether one-shot Python may run in children of a sandboxed zygote: only where each child gets
     * cgroups of its own with the call's limits (else every call gets a sandbox of its own).
     */
    boolean zygotes() {
        return cgroupLimits;
    }

    /** A directory for a zygote's FIFOs: the environment's own, outside the workspace, the sandbox user's. */
    Path fifos() throws IOException {
        Path fifos = root.resolve("fifos");
        if (!Files.isDirectory(fifos)) {
            Files.createDirectory(
                    fifos, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            user.own(fifos);
        }
        return fifos;
    }

    /**
     * How to start a zygote: in a sandbox made as a call's but for what {@link Bubblewrap.ZygoteSpec}
     * says, in cgroups of its own with the call's limits; {@code fifos} is shown at {@code visibleFifos}.
     */
    Launch prepareZygote(
            List<String> command,
            Map<String, String> env,
            String visibleCwd,
            Collection<Path> installations,
            Path fifos,
            String visibleFifos)
            throws IOException {
        Cgroups.Lease lease =
                cgroupLimits ? cgroups.create(Ids.random(16), policy.memoryBytes(), policy.processes()) : null;
        try {
            // The CPU time limit is per process: the zygote, which lives for many calls, would reach it;
            // its children set it for themselves before they take a call.
            return launch(
                    spec(env, visibleCwd, false, installations, new Bubblewrap.ZygoteSpec(fifos, visibleFifos)),
                    command,
                    lease,
                    false);
        } catch (IOException | RuntimeException e) {
            if (lease != null) {
                lease.close();
            }
            throw e;
        }
    }

    /**
     * What a sandboxed zygote's children make of their own before they take a call, as one JSON
     * argument of {@code python_zygote.py --sandbox}: the sizes of {@code /tmp} and {@code /dev/shm},
     * the network, where the FIFOs are (to hide), the CPU time limit, and the masks of {@code /proc}
     * that exist on this kernel (as {@link Bubblewrap} makes them for a call's own sandbox).
     */
    String zygoteSettings(String visibleFifos) {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("tmp", policy.tmpSizeBytes());
        settings.put("net", policy.network() == SandboxPolicy.Network.HOST ? "host" : "none");
        settings.put("fifos", visibleFifos);
        settings.put("cpu", Bubblewrap.cpuSeconds(policy));
        settings.put("read_only", existing(Bubblewrap.READ_ONLY));
        settings.put("masked_files", existing(Bubblewrap.MASKED_FILES));
        settings.put("masked_dirs", existing(Bubblewrap.MASKED_DIRECTORIES));
        // The filter each child loads on itself before it takes a call, as the zygote sees it.
        settings.put("seccomp", visible(Interpreters.filter(dev.exxec.spi.SyscallFilter.STRICT)));
        return dev.exxec.internal.Json.write(settings);
    }

    private static List<String> existing(List<String> paths) {
        return paths.stream()
                .filter(p -> Files.exists(Path.of(p), java.nio.file.LinkOption.NOFOLLOW_LINKS))
                .toList();
    }

    /** New cgroups with a call's limits, for a child of a zygote. */
    Cgroups.Lease lease() throws IOException {
        return cgroups.create(Ids.random(16), policy.memoryBytes(), policy.processes());
    }

    /**
     * The staging of the environment's unreachable sources, made on first need: the set of sources of
     * an environment is fixed (its workspace, drivers, interpreters, binds, FIFOs), so one staging
     * serves all its sandboxes; should a later sandbox bind more, a new one is made beside it.
     */
    private synchronized Staging staging(List<Path> sources) throws IOException {
        Staging s = staging;
        if (s != null && s.covers(sources) && s.works()) {
            return s;
        }
        Map<Path, Path> staged = new LinkedHashMap<>(s == null ? Map.of() : s.staged());
        Set<Path> known = new java.util.HashSet<>(s == null ? Set.of() : s.known());
        for (Path p : sources) {
            if (known.add(p) && !user.reaches(p)) {
                Path dir = root.resolve("stage");
                if (!Files.isDirectory(dir)) {
                    Files.createDirectory(
                            dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x")));
                }
                Path at = dir.resolve(Integer.toString(staged.size()));
                if (Files.isDirectory(p)) {
                    Files.createDirectories(at);
                } else {
                    Files.createFile(at);
                }
                staged.put(p, at);
            }
        }
        Holder holder = s == null ? null : s.holder();
        if (!staged.isEmpty() && (holder == null || !holder.works() || !staged.equals(s.staged()))) {
            if (holder != null) {
                retired.add(holder); // calls that entered it go on; it goes with the environment
            }
            holder = Holder.start(bwrap, staged);
        }
        staging = s = new Staging(Map.copyOf(staged), Set.copyOf(known), holder);
        return s;
    }

    /** Mount namespaces replaced by a newer one, ended with the environment. */
    private final List<Holder> retired = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * Host paths the sandbox's uid cannot reach (an interpreter under {@code /root}, a bind below a
     * private directory), made reachable for it: a {@link Holder} keeps a mount namespace in which each
     * is bound onto an empty place of the environment's own directory, and each sandbox starts in that
     * namespace ({@code nsenter}, still as root, before the drop to the sandbox's uid) and binds it from
     * that place. Only root needs this; the places stay empty on the host.
     *
     * @param staged each unreachable source and where it is bound
     * @param known the sources already judged
     * @param holder the namespace's holder, null when nothing is staged
     */
    record Staging(
            Map<Path, Path> staged,
            Set<Path> known,
            @Nullable Holder holder) {
        boolean covers(List<Path> sources) {
            return known.containsAll(sources);
        }

        boolean works() {
            return holder == null || holder.works();
        }

        Path source(Path hostPath) {
            return staged.getOrDefault(hostPath, hostPath);
        }

        /** The command line that enters the namespace, empty when nothing is staged. */
        List<String> prefix() throws IOException {
            return holder == null ? List.of() : holder.enter();
        }
    }

    /**
     * A process that holds a mount namespace with the staged binds: bubblewrap run by root (it can
     * reach every source), its command a {@code cat} that ends when this JVM closes its input, and
     * with the JVM (bubblewrap's {@code --die-with-parent}).
     */
    static final class Holder {
        private final Process process;
        private final Path nsenter;
        /** The process in the namespace ({@code cat}), found once its binds are made. */
        private long inner = -1;

        private Holder(Process process, Path nsenter) {
            this.process = process;
            this.nsenter = nsenter;
        }

        static Holder start(Bubblewrap.Probe bwrap, Map<Path, Path> staged) throws IOException {
            Path nsenter = Interpreters.locate("nsenter", "/usr/bin:/bin:/usr/sbin:/sbin")
                    .orElseThrow(() -> new ProviderUnavailableException("the sandbox cannot show " + staged.keySet()
                            + " to its unprivileged uid: util-linux's nsenter is not installed"));
            List<String> command = new ArrayList<>(List.of(String.valueOf(bwrap.executable()), "--dev-bind", "/", "/"));
            staged.forEach((from, to) -> command.addAll(List.of("--bind", from.toString(), to.toString())));
            command.addAll(List.of("--die-with-parent", "--", "/bin/cat"));
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(new java.io.File("/"))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD);
            builder.environment().clear();
            builder.environment().putAll(HOST_SIDE);
            Holder h = new Holder(HostProcess.spawn(builder::start), nsenter);
            long deadline = System.nanoTime() + 10_000_000_000L;
            // bwrap execs cat once the binds are made: from then on its child's namespace is the one.
            while ((h.inner = h.process
                            .toHandle()
                            .children()
                            .filter(c -> c.info()
                                    .command()
                                    .map(x -> x.endsWith("/cat"))
                                    .orElse(false))
                            .mapToLong(ProcessHandle::pid)
                            .findFirst()
                            .orElse(-1))
                    < 0) {
                if (!h.process.isAlive() || System.nanoTime() > deadline) {
                    h.close();
                    throw new IOException("could not make the sandbox's staged binds " + staged.keySet()
                            + (h.process.isAlive()
                                    ? " in time"
                                    : " (bubblewrap exited with " + h.process.exitValue() + ")"));
                }
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    h.close();
                    throw new IOException("interrupted while making the sandbox's staged binds", e);
                }
            }
            return h;
        }

        boolean works() {
            return process.isAlive()
                    && ProcessHandle.of(inner).map(ProcessHandle::isAlive).orElse(false);
        }

        /** {@code nsenter} into the namespace, up to and with its {@code --}. */
        List<String> enter() throws IOException {
            if (!works()) {
                throw new IOException("the sandbox's staged binds are gone");
            }
            return List.of(nsenter.toString(), "--mount=/proc/" + inner + "/ns/mnt", "--");
        }

        void close() {
            process.destroyForcibly();
        }
    }

    @Override
    public synchronized void close() {
        if (staging != null && staging.holder() != null) {
            staging.holder().close();
        }
        retired.forEach(Holder::close);
    }
}
