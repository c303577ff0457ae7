package dev.exxec.docker;

import dev.exxec.ExecutionEnvironment;
import java.util.Map;

/**
 * Docker environments: one container per environment, created and started when the environment
 * starts and removed, with its volumes, when it closes; every call (code, command, background
 * process, terminal) is an exec in it, over the Docker Engine API (docker-java, Unix socket or TCP).
 *
 * <p>By default the code runs as an unprivileged user ({@code exxec}, uid 65532, no capabilities;
 * {@code root} only when configured), and the container has no network (loopback only), a read-only
 * root file system with a writable workspace at {@code /workspace} and a private {@code /tmp}, no new
 * privileges, 1 GiB of memory without swap, 512 processes, files up to 1 GiB, and a first process
 * that reaps orphans and that code cannot kill. exxec's own scripts and drivers are root's files of
 * the image (prepared once per image), which the code cannot change. A deadline kills everything the
 * call started in the container, daemons that left it included, and the Docker daemon, not the
 * container, confirms it: a container whose code defeated the kill is stopped and the environment
 * refuses later calls. A call's normal end kills what it left before the next call starts (a process
 * outlives its call only as a background process). Files are read and written as the code's user.
 * Every container and prepared image carries labels naming exxec and its owning JVM; those of JVMs
 * that are gone are removed when the next environment starts.
 *
 * {@snippet :
 * try (ExecutionEnvironment env = DockerEnvironment.create(Map.of("image", "exxec/runtime", "memory", "512m"))) {
 *     env.execute("_result = 6 * 7").result(); // 42
 * }
 * }
 */
public final class DockerEnvironment {
    private DockerEnvironment() {}

    /**
     * Creates and starts an environment from configuration keys (see {@link DockerConfig#KEYS}).
     *
     * @throws dev.exxec.ProviderUnavailableException when the daemon or the image is not there
     */
    public static ExecutionEnvironment create(Map<String, ?> config) {
        return new ContainerEnvironment(DockerConfig.from(config));
    }

    /** Creates and starts an environment from a configuration record. */
    public static ExecutionEnvironment create(DockerConfig config) {
        return new ContainerEnvironment(config);
    }
}
