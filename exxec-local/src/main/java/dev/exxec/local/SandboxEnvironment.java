package dev.exxec.local;

import dev.exxec.ExecutionEnvironment;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Sandbox environments: like {@link LocalEnvironment}, a fresh interpreter process per execution, but
 * every process (code, commands, background processes, terminals) runs in a bubblewrap sandbox of
 * its own, with the same process handling as {@code local}.
 *
 * <p>What the sandbox guarantees: new user, PID, IPC, UTS, mount and network namespaces; no
 * capabilities, no new privileges, no further user namespaces; it dies with the JVM and takes every
 * process inside along, daemons included. The code sees the system directories read-only, a whitelist
 * of {@code /etc} (never shadow files or keys), its workspace at {@code /workspace} (also {@code HOME}
 * and the default working directory) as the only writable place besides a private, size-bounded
 * {@code /tmp}; not the host's home directories, {@code /root}, the JVM's files, environment or
 * processes. No network by default ({@code network=host} opts in). Per-call memory and process
 * limits through cgroups where the machine allows; CPU time, file size and open files as rlimits.
 * {@code capabilities().limits()} says what is really enforced.
 *
 * <p>What it does not: it is not a virtual machine; the code runs on the host's kernel, and a kernel
 * exploit escapes it. Each call gets its own namespaces: calls share the workspace, not {@code /tmp},
 * loopback or process ids.
 *
 * {@snippet :
 * try (ExecutionEnvironment env = SandboxEnvironment.builder().memory(256 << 20).build()) {
 *     env.execute("_result = open('/etc/shadow').read()").errorType(); // "FileNotFoundError"
 * }
 * }
 */
public final class SandboxEnvironment {
    private SandboxEnvironment() {}

    /** A builder for a sandbox environment with the strict default policy. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a sandbox environment; the same settings as the config keys. */
    public static final class Builder extends HostBuilder<Builder> {
        private SandboxPolicy policy = SandboxPolicy.DEFAULTS;

        private Builder() {}

        /** The whole policy at once. */
        public Builder policy(SandboxPolicy policy) {
            this.policy = policy;
            return this;
        }

        /** Shares the host's network (off by default). */
        public Builder hostNetwork() {
            policy = policy.withNetwork(SandboxPolicy.Network.HOST);
            return this;
        }

        /** Memory of one call; must be enforceable here. */
        public Builder memory(long bytes) {
            policy = policy.withMemory(bytes);
            return this;
        }

        /** Processes and threads of one call; must be enforceable here. */
        public Builder pids(int count) {
            policy = policy.withProcesses(count);
            return this;
        }

        /** CPU time of one process. */
        public Builder cpuTime(Duration cpuTime) {
            policy = policy.withCpuTime(cpuTime);
            return this;
        }

        /** Size of one written file. */
        public Builder fileSize(long bytes) {
            policy = policy.withFileSize(bytes);
            return this;
        }

        /** A host path the code may read, at the same path. */
        public Builder bind(Path path) {
            policy = policy.withReadOnlyBind(path);
            return this;
        }

        /** A host path the code may read and write, at the same path. */
        public Builder bindRw(Path path) {
            policy = policy.withWritableBind(path);
            return this;
        }

        /**
         * Creates the environment; close it when done.
         *
         * @throws dev.exxec.ProviderUnavailableException when bubblewrap cannot sandbox here
         */
        public ExecutionEnvironment build() {
            return new HostEnvironment(config(), new Sandboxed(policy));
        }
    }
}
