package dev.exxec.docker.internal;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Image;
import com.github.dockerjava.api.model.Network;
import java.net.InetAddress;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds and removes what exxec left on a Docker daemon. Every container, network and prepared image
 * exxec makes carries labels naming exxec, its owner (host, pid and start time of the JVM) and its
 * creation time. A JVM that ends normally removes its containers and networks (each environment's
 * {@code close()}, run by exxec's shutdown hook if the caller did not) and keeps its prepared images
 * to its end, when its shutdown hook removes them; a JVM killed with SIGKILL cannot remove anything, so every environment start sweeps what
 * belongs to JVMs of this host that are gone, their prepared images included.
 */
public final class ContainerReaper {
    /** Marks everything exxec makes. */
    public static final String EXXEC = "dev.exxec";
    /** {@code host/pid/start-millis} of the owning JVM. */
    public static final String OWNER = "dev.exxec.owner";
    /** When it was made. */
    public static final String CREATED = "dev.exxec.created";
    /** The environment's id. */
    public static final String ENVIRONMENT = "dev.exxec.environment";
    /** On a prepared image ({@link PreparedImages}): the id of the image it was made from. */
    public static final String PREPARED_FROM = "dev.exxec.prepared-from";

    private static final String HOST = hostName();
    private static final String SELF = owner(ProcessHandle.current());
    private static final Set<String> FAILED = ConcurrentHashMap.newKeySet();

    private ContainerReaper() {}

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "unknown-host";
        }
    }

    private static String owner(ProcessHandle process) {
        long start = process.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
        return HOST + "/" + process.pid() + "/" + start;
    }

    /** The labels of something an environment of this JVM makes. */
    public static Map<String, String> labels(String environmentId) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(EXXEC, "true");
        labels.put(OWNER, SELF);
        labels.put(CREATED, Instant.now().toString());
        labels.put(ENVIRONMENT, environmentId);
        return labels;
    }

    /** A container whose removal failed: the next sweep tries again. */
    public static void remember(String containerId) {
        FAILED.add(containerId);
    }

    /**
     * Removes the containers, networks and prepared images of this host's JVMs that no longer run,
     * and retries failed removals. Returns how many containers went.
     */
    public static int sweep(DockerConnection docker) {
        DockerClient client = docker.client();
        int removed = 0;
        List<Container> containers;
        try {
            containers = client.listContainersCmd()
                    .withShowAll(true)
                    .withLabelFilter(List.of(OWNER))
                    .exec();
        } catch (RuntimeException e) {
            return 0; // the environment's own start reports a daemon that does not answer
        }
        for (Container c : containers) {
            String owner = c.getLabels() == null ? null : c.getLabels().get(OWNER);
            if (FAILED.remove(c.getId()) || (owner != null && gone(owner))) {
                try {
                    client.removeContainerCmd(c.getId())
                            .withForce(true)
                            .withRemoveVolumes(true)
                            .exec();
                    removed++;
                } catch (RuntimeException e) {
                    // removed meanwhile, or the daemon refused: the next sweep tries again
                }
            }
        }
        try {
            for (Network n :
                    client.listNetworksCmd().withFilter("label", List.of(OWNER)).exec()) {
                String owner = n.getLabels() == null ? null : n.getLabels().get(OWNER);
                if (owner != null && gone(owner)) {
                    try {
                        client.removeNetworkCmd(n.getId()).exec();
                    } catch (RuntimeException e) {
                        // still in use by a container being removed: the next sweep
                    }
                }
            }
        } catch (RuntimeException e) {
            // networks are secondary
        }
        try {
            for (Image image : client.listImagesCmd().withLabelFilter(OWNER).exec()) {
                String owner =
                        image.getLabels() == null ? null : image.getLabels().get(OWNER);
                if (owner != null && gone(owner)) {
                    try {
                        client.removeImageCmd(image.getId()).withForce(true).exec();
                    } catch (RuntimeException e) {
                        // still used by a container being removed: the next sweep
                    }
                }
            }
        } catch (RuntimeException e) {
            // images only take disk space: the next sweep
        }
        return removed;
    }

    /** Whether the JVM named by an owner label ran on this host and has ended. */
    static boolean gone(String owner) {
        String[] parts = owner.split("/");
        if (parts.length != 3 || !parts[0].equals(HOST)) {
            return false; // another machine's: it sweeps its own
        }
        try {
            long pid = Long.parseLong(parts[1]);
            long start = Long.parseLong(parts[2]);
            Optional<ProcessHandle> process = ProcessHandle.of(pid);
            return process.isEmpty()
                    || !process.get().isAlive()
                    || process.get()
                                    .info()
                                    .startInstant()
                                    .map(Instant::toEpochMilli)
                                    .orElse(start)
                            != start;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
