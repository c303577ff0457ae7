package dev.exxec.bench;

import dev.exxec.local.SandboxPolicy;
import dev.exxec.local.internal.Bubblewrap;
import dev.exxec.local.internal.Interpreters;
import dev.exxec.local.internal.SandboxUser;
import dev.exxec.spi.SyscallFilter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

/**
 * exxec's sandbox made by hand from its own pieces, for the baselines: the same bubblewrap options
 * (in an arguments file, as exxec passes them), the same host-side wrapper and rlimits, the same drop
 * to the sandbox's own uid when this JVM is root; cgroups are the caller's. Interpreters that the
 * sandbox's uid cannot reach are not staged here: give the benchmarks one it reaches
 * ({@code /usr/bin/python3}).
 */
public final class RawSandbox {
    private final Path bwrap;
    private final SandboxPolicy policy;
    private final SandboxUser user;
    private final Path arguments;
    private final List<String> options;
    private final List<String> command;

    /**
     * Prepares {@code dir} (its {@code workspace} and {@code etc}) and the arguments file of a sandbox
     * running {@code command} in {@code /workspace}.
     */
    public RawSandbox(SandboxPolicy policy, Path dir, List<String> command) throws IOException {
        Bubblewrap.Probe probe = Bubblewrap.probe();
        if (!probe.works()) {
            throw new IllegalStateException("bubblewrap does not work here: " + probe.problem());
        }
        this.bwrap = java.util.Objects.requireNonNull(probe.executable(), "bwrap");
        this.policy = policy;
        this.user = SandboxUser.of(policy.sandboxUid());
        this.command = List.copyOf(command);
        Path workspace = dir.resolve("workspace");
        Files.createDirectories(workspace);
        Bubblewrap.writeIdentity(dir.resolve("etc"), "/workspace");
        if (user.drops()) {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
            user.own(workspace);
        }
        this.options = Bubblewrap.arguments(new Bubblewrap.Spec(
                policy,
                workspace,
                "/workspace",
                Interpreters.driverRoot(),
                "/opt/exxec",
                dir.resolve("etc"),
                List.of(),
                "/workspace",
                false,
                Map.of("PATH", "/usr/bin:/bin", "HOME", "/workspace", "LANG", "C.UTF-8"),
                p -> p,
                -1,
                null));
        this.arguments = Bubblewrap.writeArguments(dir.resolve("arguments"), options);
    }

    /** The host command line, joining the cgroups of {@code cgroupFiles} (none for an empty list). */
    public List<String> command(List<Path> cgroupFiles) {
        return Bubblewrap.hostCommand(
                bwrap,
                Bubblewrap.wrapper(policy),
                cgroupFiles,
                arguments,
                Interpreters.filter(SyscallFilter.STRICT),
                List.of(),
                user.prefix(),
                command);
    }

    /** Bare bubblewrap with the same options on its command line: no wrapper, no limits, no drop. */
    public List<String> bare() {
        List<String> argv = new java.util.ArrayList<>(List.of(bwrap.toString()));
        argv.addAll(options);
        argv.add("--");
        argv.addAll(command);
        return argv;
    }
}
