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
import dev.exxec.spi.HostProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * The {@code sandbox} provider's confinement: every process in a bubblewrap sandbox of its own (see
 * {@link Bubblewrap}), in per-call cgroups for memory and processes where the machine allows, with
 * rlimits for CPU time, file size and open files.
 *
 * <p>A process is started through {@code /bin/sh}, which joins the call's cgroups and sets the
 * rlimits before it {@code exec}s bubblewrap: so the limits hold from the sandbox's first instruction.
 * Bubblewrap dies with its parent and takes the whole PID namespace with it, daemons included.
 */
final class Sandboxed implements Confinement {
    static final String WORKSPACE = "/workspace";
    static final String DRIVERS = "/opt/exxec";

    /** Joins the cgroup files given before "--", sets the limits, and becomes the command after it. */
    private static final String WRAPPER =
            "while [ \"$1\" != -- ]; do echo $$ > \"$1\" || exit 126; shift; done; shift; ";

    private final SandboxPolicy policy;
    private final Bubblewrap.Probe bwrap;
    private final Cgroups cgroups;
    private final boolean cgroupLimits;
    private Path workspace = Path.of("/");
    private Path etc = Path.of("/");
    private Path drivers = Path.of("/");

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
    }

    /** The policy. */
    SandboxPolicy policy() {
        return policy;
    }

    @Override
    public String providerId() {
        return SandboxProvider.ID;
    }

    @Override
    public void start(Path root, Path workspace) throws IOException {
        this.workspace = workspace;
        this.etc = root.resolve("etc");
        this.drivers = Interpreters.driverRoot();
        Bubblewrap.writeIdentity(etc, WORKSPACE);
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
            List<String> command, Path hostCwd, String visibleCwd, Use use, Collection<Path> installations)
            throws IOException {
        Cgroups.Lease lease =
                cgroupLimits ? cgroups.create(Ids.random(16), policy.memoryBytes(), policy.processes()) : null;
        List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", Bubblewrap.wrapper(policy), "sh"));
        if (lease != null) {
            lease.procsFiles().forEach(f -> argv.add(f.toString()));
        }
        argv.add("--");
        argv.addAll(Bubblewrap.command(new Bubblewrap.Spec(
                bwrap.executable(),
                policy,
                workspace,
                WORKSPACE,
                drivers,
                DRIVERS,
                etc,
                installations,
                visibleCwd,
                use == Use.TERMINAL,
                command)));
        return new Launch(argv, hostCwd, lease);
    }

    /**
     * Whether one-shot Python may run in children of a sandboxed zygote: only where each child gets
     * cgroups of its own with the call's limits (else every call gets a sandbox of its own).
     */
    boolean zygotes() {
        return cgroupLimits;
    }

    /**
     * How to start a zygote: in a sandbox made as a call's (see {@link Bubblewrap#forZygote}), in
     * cgroups of its own with the call's limits; {@code fifos} is shown at {@code visibleFifos}.
     */
    Launch prepareZygote(
            List<String> command,
            Path hostCwd,
            String visibleCwd,
            Collection<Path> installations,
            Path fifos,
            String visibleFifos)
            throws IOException {
        Launch call = prepare(command, hostCwd, visibleCwd, Use.CODE, installations);
        List<String> argv = new ArrayList<>(call.command());
        // The CPU time limit is per process: the zygote, which lives for many calls, would reach it; its
        // children set it for themselves before they take a call.
        argv.set(2, Bubblewrap.wrapper(policy, false));
        return new Launch(Bubblewrap.forZygote(argv, fifos, visibleFifos), hostCwd, call.lease());
    }

    /** New cgroups with a call's limits, for a child of a zygote. */
    Cgroups.Lease lease() throws IOException {
        return cgroups.create(Ids.random(16), policy.memoryBytes(), policy.processes());
    }

    @Override
    public void close() {}
}
