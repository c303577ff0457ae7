package dev.exxec.docker.internal;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.HostConfig;
import dev.exxec.EnvironmentStartException;
import dev.exxec.ExecutionCancelledException;
import dev.exxec.ExxecException;
import dev.exxec.spi.DriverProtocol;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/**
 * Images made ready for environments, once per image, endpoint and JVM: the image the configuration
 * names, with exxec's helper scripts and drivers in {@value #TOOLS} (the Python driver compiled for
 * the image's Python), an account for the unprivileged user the code runs as by default, and {@code
 * /workspace} owned by that user.
 *
 * <p>A short-lived helper container of the image does the work as root before any code ran in it
 * (the tools through the archive API, {@code prepare.sh} and {@code probe.sh} as execs), and is
 * committed to a new image, which every environment of the image then runs. So the tools are files
 * of the image, owned by root: the default user cannot change them, and with the default read-only
 * root file system root cannot either (no {@code CAP_SYS_ADMIN}, no remount). A volume of tools
 * would have been the other way, but the account must be in {@code /etc/passwd}, which a read-only
 * root file system keeps out of reach of the archive API and of any exec; one commit does both, and
 * later environments start without uploading anything. Works the same with a remote daemon.
 *
 * <p>Each prepared image carries the labels of the JVM that made it ({@link ContainerReaper#labels})
 * and is removed when that JVM ends; the sweep of the next environment start on this host removes
 * those of JVMs that could not (killed with SIGKILL).
 */
public final class PreparedImages {
    /**
     * exxec's system call filter (Docker's default profile less io_uring, ptrace, keyrings and more; see
     * docs/seccomp.md), in place of the daemon's default, which differs between Docker versions: for
     * every environment's container, and for the helper that prepares an image.
     */
    public static final String SECCOMP = "seccomp=" + dev.exxec.spi.SyscallFilter.STRICT.dockerProfile();

    /** Where the tools are, in every container of a prepared image. */
    public static final String TOOLS = "/opt/exxec";
    /** The Python driver compiled for the image's Python by the probe. */
    public static final String COMPILED_DRIVER = "python_driver.pyc";
    /** The repository of prepared images, so that {@code docker images} names them. */
    public static final String REPOSITORY = "exxec-prepared";

    private static final List<String> SCRIPTS =
            List.of("run.sh", "kill.sh", "killer.sh", "files.sh", "probe.sh", "prepare.sh");
    private static final List<String> DRIVERS = List.of(
            DriverProtocol.PYTHON_DRIVER,
            DriverProtocol.PYTHON_SUPPORT,
            DriverProtocol.JAVASCRIPT_DRIVER,
            DriverProtocol.PYTHON_SESSION,
            DriverProtocol.JAVASCRIPT_SESSION);
    private static final Duration PREPARE_TIMEOUT = Duration.ofSeconds(60);
    private static final Map<String, CompletableFuture<Prepared>> PREPARED = new ConcurrentHashMap<>();

    private PreparedImages() {}

    /**
     * A prepared image.
     *
     * @param image its id
     * @param probe what probe.sh found in it: interpreters, a TypeScript runner, bash, setsid
     */
    public record Prepared(String image, Map<String, String> probe) {
        public Prepared {
            probe = Map.copyOf(probe);
        }
    }

    /**
     * The prepared image of {@code imageId} for these interpreter names, made now by the first caller
     * (concurrent callers wait for it) and kept for the JVM's life.
     *
     * @param uid the uid the account and {@code /workspace} are for
     * @param gid its group
     * @throws EnvironmentStartException when the helper container fails
     */
    public static Prepared of(DockerConnection docker, String imageId, String python, String node, int uid, int gid) {
        String key = key(docker, imageId, python, node, uid, gid);
        CompletableFuture<Prepared> made = new CompletableFuture<>();
        CompletableFuture<Prepared> known = PREPARED.putIfAbsent(key, made);
        if (known == null) {
            try {
                made.complete(prepare(docker.client(), imageId, python, node, uid, gid));
            } catch (RuntimeException e) {
                PREPARED.remove(key, made); // the next environment tries again
                made.completeExceptionally(e);
                throw e;
            }
            return made.join();
        }
        try {
            return known.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ExecutionCancelledException(
                    "interrupted while waiting for image " + imageId + " to be prepared", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw new EnvironmentStartException("image " + imageId + " could not be prepared: " + e.getCause(), e);
        }
    }

    /** Forgets a prepared image that is no longer on the daemon (removed by hand): the next start makes it again. */
    public static void forget(
            DockerConnection docker, String imageId, String python, String node, int uid, int gid, String prepared) {
        String key = key(docker, imageId, python, node, uid, gid);
        CompletableFuture<Prepared> known = PREPARED.get(key);
        if (known != null
                && known.isDone()
                && !known.isCompletedExceptionally()
                && known.join().image().equals(prepared)) {
            PREPARED.remove(key, known);
        }
    }

    private static String key(DockerConnection docker, String imageId, String python, String node, int uid, int gid) {
        return docker.endpoint() + "\0" + imageId + "\0" + python + "\0" + node + "\0" + uid + ":" + gid;
    }

    private static Prepared prepare(DockerClient client, String imageId, String python, String node, int uid, int gid) {
        String name = "exxec-prepare-" + java.util.UUID.randomUUID().toString().substring(0, 12);
        Map<String, String> labels = ContainerReaper.labels(name);
        String helper = null;
        try {
            HostConfig host = HostConfig.newHostConfig()
                    .withNetworkMode("none")
                    .withMemory(512L << 20)
                    .withMemorySwap(512L << 20)
                    .withPidsLimit(128L)
                    .withSecurityOpts(List.of("no-new-privileges", SECCOMP))
                    .withCapDrop(Capability.ALL)
                    .withCapAdd(Capability.CHOWN, Capability.DAC_OVERRIDE, Capability.FOWNER);
            helper = client.createContainerCmd(imageId)
                    .withName(name)
                    .withLabels(labels)
                    .withCmd("/bin/sh", "-c", "trap '' TERM; while :; do sleep 2147483647 & wait; done")
                    .withEntrypoint(List.of())
                    .withHostConfig(host)
                    .exec()
                    .getId();
            client.startContainerCmd(helper).exec();
            Map<String, byte[]> tools = new LinkedHashMap<>();
            for (String driver : DRIVERS) {
                tools.put(TOOLS.substring(1) + "/" + driver, DriverProtocol.resource(driver));
            }
            for (String script : SCRIPTS) {
                tools.put(TOOLS.substring(1) + "/" + script, script(script));
            }
            Archives.upload(client, helper, "/", tools, 0, 0, 0644);
            Map<String, String> probe = prepareAndProbe(client, helper, python, node, uid, gid);
            Map<String, String> imageLabels = new LinkedHashMap<>(labels);
            imageLabels.put(ContainerReaper.PREPARED_FROM, imageId);
            String tag = imageId.replace("sha256:", "").substring(0, 12) + "-"
                    + Integer.toHexString(labels.get(ContainerReaper.OWNER).hashCode());
            String prepared = client.commitCmd(helper)
                    .withRepository(REPOSITORY)
                    .withTag(tag)
                    .withLabels(imageLabels)
                    .exec();
            // Kept for this JVM's later environments, removed when it ends: nothing it made outlives it.
            dev.exxec.internal.Reaper.register(() -> removeWhenUnused(client, prepared));
            return new Prepared(prepared, probe);
        } catch (IOException e) {
            throw new EnvironmentStartException(
                    "could not install exxec's drivers in a helper container of image " + imageId + ": "
                            + e.getMessage(),
                    e);
        } catch (ExxecException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new EnvironmentStartException(
                    "could not prepare image " + imageId + " for exxec: " + DockerConnection.rootMessage(e), e);
        } finally {
            if (helper != null) {
                // Off the environment's start: the helper is labelled, so a sweep removes it if this
                // JVM ends first.
                String made = helper;
                Thread.ofVirtual().name("exxec-docker-prepare-cleanup").start(() -> {
                    try {
                        client.removeContainerCmd(made)
                                .withForce(true)
                                .withRemoveVolumes(true)
                                .exec();
                    } catch (RuntimeException e) {
                        ContainerReaper.remember(made);
                    }
                });
            }
        }
    }

    /**
     * Removes a prepared image at this JVM's end, once no container uses it: the environments' own
     * closes run beside this one at shutdown, so a removal refused because a container still uses the
     * image is tried again for a few seconds; what is left then is the next start's sweep's.
     */
    private static void removeWhenUnused(DockerClient client, String image) {
        long deadline = System.nanoTime() + 4_000_000_000L;
        while (true) {
            try {
                client.removeImageCmd(image).exec();
                return;
            } catch (com.github.dockerjava.api.exception.NotFoundException e) {
                return;
            } catch (RuntimeException e) {
                if (System.nanoTime() > deadline) {
                    return;
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    /** Runs prepare.sh as root in the helper and returns probe.sh's key=value lines. */
    private static Map<String, String> prepareAndProbe(
            DockerClient client, String helper, String python, String node, int uid, int gid) {
        ContainerExec.Outcome outcome = ContainerExec.run(
                client,
                helper,
                List.of("/bin/sh", TOOLS + "/prepare.sh", Integer.toString(uid), Integer.toString(gid), python, node),
                "0",
                null,
                1 << 20,
                PREPARE_TIMEOUT);
        if (outcome.exitCode() != 0) {
            throw new EnvironmentStartException("could not give uid " + uid + " an account and /workspace (exit "
                    + outcome.exitCode() + "): " + outcome.stderr().strip());
        }
        Map<String, String> found = new HashMap<>();
        for (String line : new String(outcome.stdout(), StandardCharsets.UTF_8).split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                found.put(line.substring(0, eq), line.substring(eq + 1).trim());
            }
        }
        return found;
    }

    private static byte[] script(String name) {
        try (InputStream in = PreparedImages.class.getResourceAsStream("/dev/exxec/docker/" + name)) {
            if (in == null) {
                throw new IllegalStateException("resource missing: " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
