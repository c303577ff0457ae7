package dev.exxec.docker;

import dev.exxec.ConfigException;
import dev.exxec.spi.ConfigReader;
import dev.exxec.spi.EnvironmentSettings;
import dev.exxec.spi.ExecutionProvider.ConfigKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The configuration of a {@code docker} environment.
 *
 * @param settings the settings every environment shares (timeout, env, cwd, output limit...)
 * @param host the Docker endpoint ({@code unix:///var/run/docker.sock}, {@code tcp://...}), or
 *     {@code null} for {@code DOCKER_HOST} or the default socket
 * @param image the image to run
 * @param pull when to pull the image
 * @param runtime the container runtime ({@code runsc} for gVisor), or {@code null} for the daemon's
 * @param network {@code none} (default: loopback only), {@code bridge}, or a network's name
 * @param memoryBytes the container's memory, or {@code null} for 1 GiB
 * @param cpus CPUs the container may use, or {@code null} for no limit
 * @param pids processes and threads in the container
 * @param readOnly whether the root file system is read-only (the workspace and /tmp stay writable)
 * @param user the user the code runs as ({@code name}, {@code uid} or {@code uid:gid}): by default
 *     {@value #DEFAULT_USER}, an unprivileged user that no host is likely to have; {@code root} only
 *     when asked for, since the code can then change everything in the container
 * @param tmpSizeBytes the size of the container's {@code /tmp}
 * @param mounts host paths bound into the container: {@code HOST:CONTAINER[:ro]}
 * @param labels labels added to the container
 * @param toolServers host services made reachable from the code: name to host port
 * @param python the Python interpreter in the image
 * @param node the Node.js executable in the image
 */
public record DockerConfig(
        EnvironmentSettings settings,
        @Nullable String host,
        String image,
        Pull pull,
        @Nullable String runtime,
        String network,
        long memoryBytes,
        @Nullable Double cpus,
        int pids,
        boolean readOnly,
        String user,
        long tmpSizeBytes,
        List<String> mounts,
        Map<String, String> labels,
        Map<String, Integer> toolServers,
        String python,
        String node) {

    /** When to pull the image. */
    public enum Pull {
        /** Only use an image already on the daemon's machine. */
        NEVER,
        /** Pull when it is not there (the default). */
        MISSING,
        /** Pull every time an environment starts. */
        ALWAYS
    }

    /** The image the test-image script builds ({@code scripts/docker-images.sh}). */
    public static final String DEFAULT_IMAGE = "exxec/runtime";

    /** The uid of {@link #DEFAULT_USER}. */
    public static final int DEFAULT_UID = 65532;

    /** The gid of {@link #DEFAULT_USER}. */
    public static final int DEFAULT_GID = 65532;

    /**
     * The user the code runs as unless configured: not root, so that it cannot change exxec's helpers
     * or anything else of the image, and a uid no host is likely to have (without user-namespace
     * remapping a container's uids are the host's), the one distroless images call {@code nonroot}.
     * Every image gets an account for it ({@code exxec}, home {@code /workspace}) before any code runs.
     */
    public static final String DEFAULT_USER = DEFAULT_UID + ":" + DEFAULT_GID;

    private static final Pattern MOUNT = Pattern.compile("(/[^:]*):(/[^:]*)(:ro|:rw)?");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9.-]*");
    private static final Pattern USER = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]*)?");

    /** The keys {@link #from(Map)} accepts. */
    public static final List<ConfigKey> KEYS;

    static {
        List<ConfigKey> keys = new ArrayList<>(EnvironmentSettings.KEYS);
        keys.removeIf(k -> k.name().equals("inheritEnv"));
        keys.addAll(List.of(
                new ConfigKey(
                        "host",
                        "Docker endpoint (unix:///var/run/docker.sock, tcp://host:2375); default DOCKER_HOST or the local socket"),
                new ConfigKey(
                        "image",
                        "image to run; default " + DEFAULT_IMAGE + " (build it with scripts/docker-images.sh)"),
                new ConfigKey("pull", "never, missing (default) or always"),
                new ConfigKey("runtime", "container runtime, e.g. runsc; default the daemon's"),
                new ConfigKey("network", "none (default, loopback only), bridge, or a network's name"),
                new ConfigKey("memory", "memory of the container (512m, 2g); default 1g"),
                new ConfigKey("cpus", "CPUs the container may use (0.5, 2); default no limit"),
                new ConfigKey("pids", "processes and threads in the container; default 512"),
                new ConfigKey(
                        "readOnly", "read-only root file system (workspace and /tmp stay writable); default true"),
                new ConfigKey(
                        "user",
                        "user the code runs as (name, uid or uid:gid; root only when asked for); default "
                                + DEFAULT_USER + ", an unprivileged user named exxec"),
                new ConfigKey("tmpSize", "size of the container's /tmp; default 256m"),
                new ConfigKey("mounts", "host paths to bind: HOST:CONTAINER[:ro], a list or comma-separated"),
                new ConfigKey("labels.NAME", "a label added to the container"),
                new ConfigKey(
                        "toolServer.NAME", "a host port the code reaches as NAME:PORT (e.g. toolServer.tools=8080)"),
                new ConfigKey("python", "Python interpreter in the image; default python3"),
                new ConfigKey("node", "Node.js executable in the image; default node")));
        KEYS = List.copyOf(keys);
    }

    public DockerConfig {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(pull, "pull");
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(user, "user");
        mounts = List.copyOf(mounts);
        labels = Map.copyOf(labels);
        toolServers = Map.copyOf(toolServers);
        if (image.isBlank()) {
            throw new ConfigException("image", "config key 'image' is empty");
        }
        if (memoryBytes < 16L << 20) {
            throw new ConfigException("memory", "config key 'memory' must be at least 16m");
        }
        if (cpus != null && cpus <= 0) {
            throw new ConfigException("cpus", "config key 'cpus' must be positive: " + cpus);
        }
        if (pids <= 0) {
            throw new ConfigException("pids", "config key 'pids' must be positive: " + pids);
        }
        for (String mount : mounts) {
            if (!MOUNT.matcher(mount).matches()) {
                throw new ConfigException(
                        "mounts",
                        "config key 'mounts': '" + mount + "' is not HOST:CONTAINER[:ro] with absolute paths");
            }
        }
        toolServers.forEach((name, port) -> {
            if (!NAME.matcher(name).matches()) {
                throw new ConfigException("toolServer." + name, "'" + name + "' is not a host name");
            }
            if (port < 1 || port > 65535) {
                throw new ConfigException("toolServer." + name, "port " + port + " is not a TCP port");
            }
        });
        if (!toolServers.isEmpty() && network.equals("host")) {
            throw new ConfigException("toolServer", "tool servers need the container's own network, not network=host");
        }
        if (!USER.matcher(user).matches()) {
            throw new ConfigException("user", "config key 'user': '" + user + "' is not a user name, a uid or uid:gid");
        }
        if (settings.cwd() != null && !insideWorkspace(settings.cwd())) {
            // Refused here, before anything exists: no container, no directory made for it.
            throw new ConfigException(
                    "cwd",
                    "config key 'cwd': '" + settings.cwd() + "' leads outside the container's workspace "
                            + ContainerEnvironment.WORKSPACE);
        }
        if (settings.inheritEnv()) {
            throw new ConfigException("inheritEnv", "a container never gets the host's variables");
        }
    }

    /**
     * Whether a working directory, relative to the workspace or absolute, is the workspace or in it
     * (by its path: a link in the workspace that leads out is the code's own to follow).
     */
    static boolean insideWorkspace(String cwd) {
        java.nio.file.Path workspace = java.nio.file.Path.of(ContainerEnvironment.WORKSPACE);
        return workspace.resolve(cwd).normalize().startsWith(workspace);
    }

    /**
     * The defaults: {@value #DEFAULT_IMAGE}, no network, 1 GiB, 512 processes, read-only root, the
     * unprivileged user {@value #DEFAULT_USER}.
     */
    public static DockerConfig defaults() {
        return new DockerConfig(
                EnvironmentSettings.DEFAULTS,
                null,
                DEFAULT_IMAGE,
                Pull.MISSING,
                null,
                "none",
                1L << 30,
                null,
                512,
                true,
                DEFAULT_USER,
                256L << 20,
                List.of(),
                Map.of(),
                Map.of(),
                "python3",
                "node");
    }

    /**
     * Reads a configuration map.
     *
     * @throws ConfigException naming the key when a key is unknown or a value malformed
     */
    public static DockerConfig from(Map<String, ?> config) {
        ConfigReader r = new ConfigReader(DockerProvider.ID, config, KEYS);
        DockerConfig d = defaults();
        Map<String, Integer> tools = new java.util.LinkedHashMap<>();
        r.map("toolServer").forEach((name, port) -> {
            try {
                tools.put(name, Integer.parseInt(port.trim()));
            } catch (NumberFormatException e) {
                throw new ConfigException(
                        "toolServer." + name,
                        "config key 'toolServer." + name + "': '" + port + "' is not a port number");
            }
        });
        DockerConfig result = new DockerConfig(
                EnvironmentSettings.read(r),
                r.nonBlank("host").orElse(null),
                r.nonBlank("image").orElse(d.image()),
                r.choice("pull", Pull.class).orElse(d.pull()),
                r.nonBlank("runtime").orElse(null),
                r.nonBlank("network")
                        .map(n -> n.toLowerCase(Locale.ROOT).equals("none") ? "none" : n)
                        .orElse(d.network()),
                r.bytes("memory").orElse(d.memoryBytes()),
                r.string("cpus")
                        .map(c -> {
                            try {
                                return Double.parseDouble(c);
                            } catch (NumberFormatException e) {
                                throw new ConfigException(
                                        "cpus", "config key 'cpus' has value '" + c + "'; expected a number");
                            }
                        })
                        .orElse(null),
                r.integer("pids").orElse(d.pids()),
                r.bool("readOnly").orElse(d.readOnly()),
                r.nonBlank("user").orElse(d.user()),
                r.bytes("tmpSize").orElse(d.tmpSizeBytes()),
                r.list("mounts"),
                r.map("labels"),
                tools,
                r.nonBlank("python").orElse(d.python()),
                r.nonBlank("node").orElse(d.node()));
        r.finish();
        return result;
    }
}
