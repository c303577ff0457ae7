package dev.exxec.docker;

import dev.exxec.ExecutionEnvironment;
import java.util.Map;

/**
 * Docker environments: one container per environment, created and started when the environment
 * starts and removed, with its volumes, when it closes; every call (code, command, background
 * process, terminal) is an exec in it, over the Docker Engine API (docker-java, Unix socket or TCP).
 *
 * <p>By default the container has no network (loopback only), a read-only root file system with a
 * writable workspace at {@code /workspace} and a private {@code /tmp}, no capabilities but the few
 * that file ownership needs, no new privileges, 1 GiB of memory without swap, 512 processes, files up
 * to 1 GiB, and a first process that reaps orphans and that code cannot kill. A deadline kills
 * everything the call started in the container, daemons that left it included; so does a call's
 * normal end (a process outlives its call only as a background process). Every container carries labels naming exxec and its
 * owning JVM; containers of JVMs that died are removed when the next environment starts.
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
