package dev.exxec.local;

import dev.exxec.ConfigException;
import dev.exxec.local.internal.SandboxUser;
import dev.exxec.spi.ConfigReader;
import dev.exxec.spi.ExecutionProvider.ConfigKey;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a {@code sandbox} environment allows the code: network, resources, and which host paths it
 * sees besides the system directories and its workspace.
 *
 * <p>Limits apply to each call (its process and everything it starts). Memory and process limits
 * need a writable cgroup; the others are rlimits. A limit left at its default is applied where the
 * machine can enforce it; a limit set explicitly that the machine cannot enforce makes the
 * environment refuse to start. {@code Capabilities.limits()} says what is really enforced.
 *
 * @param network {@code NONE} (loopback only, the default) or {@code HOST} (the host's network)
 * @param memoryBytes memory of one call, or {@code null} for the default (1 GiB where enforceable)
 * @param processes processes and threads of one call, or {@code null} for the default (512 where
 *     enforceable)
 * @param cpuTime CPU time of one process, or {@code null} for none
 * @param fileSizeBytes size of one written file (default 1 GiB)
 * @param openFiles open file descriptors of one process (default 1024)
 * @param tmpSizeBytes size of the private {@code /tmp} (default 256 MiB)
 * @param readOnlyBinds host paths the code may read, at the same path
 * @param writableBinds host paths the code may read and write, at the same path
 * @param explicitMemory whether {@code memoryBytes} was set by the user (then it must be enforced)
 * @param explicitProcesses whether {@code processes} was set by the user
 * @param sandboxUid the host uid (and gid) the sandbox runs as when exxec runs as root (never 0);
 *     otherwise the sandbox runs as exxec's own user (see {@link SandboxUser})
 */
public record SandboxPolicy(
        Network network,
        long memoryBytes,
        int processes,
        @Nullable Duration cpuTime,
        long fileSizeBytes,
        int openFiles,
        long tmpSizeBytes,
        List<Path> readOnlyBinds,
        List<Path> writableBinds,
        boolean explicitMemory,
        boolean explicitProcesses,
        int sandboxUid) {

    /** The network a sandbox sees. */
    public enum Network {
        /** Its own network namespace with loopback only: no packet leaves the sandbox. */
        NONE,
        /** The host's network. */
        HOST
    }

    /** 1 GiB. */
    public static final long DEFAULT_MEMORY = 1L << 30;
    /** 512. */
    public static final int DEFAULT_PROCESSES = 512;
    /** 1 GiB. */
    public static final long DEFAULT_FILE_SIZE = 1L << 30;
    /** 1024. */
    public static final int DEFAULT_OPEN_FILES = 1024;
    /** 256 MiB. */
    public static final long DEFAULT_TMP_SIZE = 256L << 20;

    /** The strict defaults: no network, 1 GiB, 512 processes, 1 GiB files, 1024 descriptors. */
    public static final SandboxPolicy DEFAULTS = new SandboxPolicy(
            Network.NONE,
            DEFAULT_MEMORY,
            DEFAULT_PROCESSES,
            null,
            DEFAULT_FILE_SIZE,
            DEFAULT_OPEN_FILES,
            DEFAULT_TMP_SIZE,
            List.of(),
            List.of(),
            false,
            false,
            SandboxUser.DEFAULT_UID);

    /** The keys {@link #read(ConfigReader)} accepts. */
    public static final List<ConfigKey> KEYS = List.of(
            new ConfigKey("network", "none (loopback only, default) or host (the host's network)"),
            new ConfigKey("memory", "memory of one call (256m, 2g); default 1g where a cgroup can enforce it"),
            new ConfigKey("pids", "processes and threads of one call; default 512 where a cgroup can enforce it"),
            new ConfigKey("cpuTime", "CPU time of one process in seconds; default none"),
            new ConfigKey("fileSize", "size of one written file (64m, 1g); default 1g"),
            new ConfigKey("openFiles", "open file descriptors of one process; default 1024"),
            new ConfigKey("tmpSize", "size of the private /tmp; default 256m"),
            new ConfigKey("bind", "host paths the code may read, at the same path (a list, or comma-separated)"),
            new ConfigKey("bindRw", "host paths the code may read and write, at the same path"),
            new ConfigKey(
                    "sandboxUid",
                    "the host uid (and gid) the sandbox runs as when exxec runs as root; default "
                            + SandboxUser.DEFAULT_UID + "; never 0"));

    public SandboxPolicy {
        Objects.requireNonNull(network, "network");
        readOnlyBinds = List.copyOf(readOnlyBinds);
        writableBinds = List.copyOf(writableBinds);
        positive("memory", memoryBytes);
        positive("pids", processes);
        positive("fileSize", fileSizeBytes);
        positive("openFiles", openFiles);
        positive("tmpSize", tmpSizeBytes);
        if (cpuTime != null && (cpuTime.isNegative() || cpuTime.isZero())) {
            throw new ConfigException("cpuTime", "config key 'cpuTime' must be positive: " + cpuTime);
        }
        if (sandboxUid <= 0) {
            throw new ConfigException(
                    "sandboxUid",
                    "config key 'sandboxUid' must be a positive uid: the sandbox never runs as the host's root, was "
                            + sandboxUid);
        }
        if (memoryBytes < 16L << 20) {
            throw new ConfigException(
                    "memory", "config key 'memory' must be at least 16m, an interpreter needs that much");
        }
    }

    private static void positive(String key, long value) {
        if (value <= 0) {
            throw new ConfigException(key, "config key '" + key + "' must be positive: " + value);
        }
    }

    /** Reads the sandbox keys, with defaults for those absent. */
    public static SandboxPolicy read(ConfigReader config) {
        var memory = config.bytes("memory");
        var pids = config.integer("pids");
        return new SandboxPolicy(
                config.choice("network", Network.class).orElse(Network.NONE),
                memory.orElse(DEFAULT_MEMORY),
                pids.orElse(DEFAULT_PROCESSES),
                config.duration("cpuTime").orElse(null),
                config.bytes("fileSize").orElse(DEFAULT_FILE_SIZE),
                config.integer("openFiles").orElse(DEFAULT_OPEN_FILES),
                config.bytes("tmpSize").orElse(DEFAULT_TMP_SIZE),
                paths(config.list("bind"), "bind"),
                paths(config.list("bindRw"), "bindRw"),
                memory.isPresent(),
                pids.isPresent(),
                config.integer("sandboxUid").orElse(SandboxUser.DEFAULT_UID));
    }

    private static List<Path> paths(List<String> values, String key) {
        List<Path> paths = new ArrayList<>();
        for (String value : values) {
            Path p = Path.of(value);
            if (!p.isAbsolute()) {
                throw new ConfigException(key, "config key '" + key + "': '" + value + "' is not an absolute path");
            }
            if (!p.toFile().exists()) {
                throw new ConfigException(key, "config key '" + key + "': " + value + " does not exist");
            }
            paths.add(p.normalize());
        }
        return paths;
    }

    /** This policy with another network. */
    public SandboxPolicy withNetwork(Network network) {
        return new SandboxPolicy(
                network,
                memoryBytes,
                processes,
                cpuTime,
                fileSizeBytes,
                openFiles,
                tmpSizeBytes,
                readOnlyBinds,
                writableBinds,
                explicitMemory,
                explicitProcesses,
                sandboxUid);
    }

    /** This policy with a memory limit that must be enforced. */
    public SandboxPolicy withMemory(long bytes) {
        return new SandboxPolicy(
                network,
                bytes,
                processes,
                cpuTime,
                fileSizeBytes,
                openFiles,
                tmpSizeBytes,
                readOnlyBinds,
                writableBinds,
                true,
                explicitProcesses,
                sandboxUid);
    }

    /** This policy with a process limit that must be enforced. */
    public SandboxPolicy withProcesses(int count) {
        return new SandboxPolicy(
                network,
                memoryBytes,
                count,
                cpuTime,
                fileSizeBytes,
                openFiles,
                tmpSizeBytes,
                readOnlyBinds,
                writableBinds,
                explicitMemory,
                true,
                sandboxUid);
    }

    /** This policy with a CPU time limit. */
    public SandboxPolicy withCpuTime(Duration cpuTime) {
        return new SandboxPolicy(
                network,
                memoryBytes,
                processes,
                cpuTime,
                fileSizeBytes,
                openFiles,
                tmpSizeBytes,
                readOnlyBinds,
                writableBinds,
                explicitMemory,
                explicitProcesses,
                sandboxUid);
    }

    /** This policy with a file size limit. */
    public SandboxPolicy withFileSize(long bytes) {
        return new SandboxPolicy(
                network,
                memoryBytes,
                processes,
                cpuTime,
                bytes,
                openFiles,
                tmpSizeBytes,
                readOnlyBinds,
                writableBinds,
                explicitMemory,
                explicitProcesses,
                sandboxUid);
    }

    /** This policy with one more read-only bind. */
    public SandboxPolicy withReadOnlyBind(Path path) {
        List<Path> binds = new ArrayList<>(readOnlyBinds);
        binds.add(path);
        return new SandboxPolicy(
                network,
                memoryBytes,
                processes,
                cpuTime,
                fileSizeBytes,
                openFiles,
                tmpSizeBytes,
                binds,
                writableBinds,
                explicitMemory,
                explicitProcesses,
                sandboxUid);
    }

    /** This policy with one more writable bind. */
    public SandboxPolicy withWritableBind(Path path) {
        List<Path> binds = new ArrayList<>(writableBinds);
        binds.add(path);
        return new SandboxPolicy(
                network,
                memoryBytes,
                processes,
                cpuTime,
                fileSizeBytes,
                openFiles,
                tmpSizeBytes,
                readOnlyBinds,
                binds,
                explicitMemory,
                explicitProcesses,
                sandboxUid);
    }
}
