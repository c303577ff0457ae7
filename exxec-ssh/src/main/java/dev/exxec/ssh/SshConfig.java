package dev.exxec.ssh;

import dev.exxec.ConfigException;
import dev.exxec.spi.ConfigReader;
import dev.exxec.spi.EnvironmentSettings;
import dev.exxec.spi.ExecutionProvider.ConfigKey;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The configuration of an {@code ssh} environment. Secrets (password, passphrase, private key) never
 * appear in {@link #toString()}.
 *
 * @param settings the settings every environment shares (timeout, env, cwd, output limit...)
 * @param host the host name or address
 * @param port the SSH port
 * @param user the user to log in as
 * @param password the password, or {@code null} to not offer one
 * @param privateKeyFile a private key file (OpenSSH or PEM), or {@code null}
 * @param privateKey a private key's text (OpenSSH or PEM), or {@code null}
 * @param passphrase the passphrase of an encrypted private key, or {@code null}
 * @param agentSocket the socket of the SSH agent whose keys are offered, or {@code null} for none
 * @param knownHostsFile the known_hosts file the host key is checked against
 * @param hostKeyPolicy what happens to a host key the file does not know
 * @param connectTimeout how long connecting may take
 * @param authTimeout how long authentication may take
 * @param keepAlive the interval of keep-alive requests, or {@link Duration#ZERO} for none
 * @param maxSessions channels opened at once on one connection (OpenSSH's {@code MaxSessions},
 *     10 by default); more calls at once open another connection
 * @param python the Python interpreter on the host (a name on its PATH or a path)
 * @param node the Node.js executable on the host
 * @param pythonGiven whether {@code python} was configured (then its absence fails the start)
 * @param nodeGiven whether {@code node} was configured
 */
public record SshConfig(
        EnvironmentSettings settings,
        String host,
        int port,
        String user,
        @Nullable String password,
        @Nullable Path privateKeyFile,
        @Nullable String privateKey,
        @Nullable String passphrase,
        @Nullable Path agentSocket,
        Path knownHostsFile,
        HostKeyPolicy hostKeyPolicy,
        Duration connectTimeout,
        Duration authTimeout,
        Duration keepAlive,
        int maxSessions,
        String python,
        String node,
        boolean pythonGiven,
        boolean nodeGiven) {

    /** What happens to a host key the known_hosts file does not know. */
    public enum HostKeyPolicy {
        /** Refuse it, and a changed one (the default). */
        STRICT,
        /** Accept it and add it to the file; a changed key is still refused. */
        ACCEPT_NEW
    }

    /** The keys {@link #from(java.util.Map)} accepts. */
    public static final List<ConfigKey> KEYS;

    static {
        List<ConfigKey> keys = new ArrayList<>(EnvironmentSettings.KEYS);
        keys.removeIf(k -> k.name().equals("inheritEnv"));
        keys.addAll(List.of(
                new ConfigKey("host", "host name or address to connect to (required)"),
                new ConfigKey("port", "SSH port; default 22"),
                new ConfigKey("user", "user to log in as; default the JVM's user.name"),
                new ConfigKey("password", "password to authenticate with"),
                new ConfigKey("privateKeyFile", "private key file (OpenSSH or PEM format)"),
                new ConfigKey("privateKey", "private key text (OpenSSH or PEM format), for keys held in memory"),
                new ConfigKey("passphrase", "passphrase of an encrypted private key"),
                new ConfigKey(
                        "agent",
                        "offer an SSH agent's keys: true (default: the agent at SSH_AUTH_SOCK, if any), false, or"
                                + " the agent's socket path"),
                new ConfigKey(
                        "knownHostsFile",
                        "known_hosts file the host key is checked against; default ~/.ssh/known_hosts"),
                new ConfigKey(
                        "hostKeyPolicy",
                        "strict (default: an unknown or changed host key is refused) or accept-new (an unknown"
                                + " key is added to the file; a changed one is still refused)"),
                new ConfigKey("connectTimeout", "how long connecting may take; default 10s"),
                new ConfigKey("authTimeout", "how long authentication may take; default 10s"),
                new ConfigKey("keepAlive", "interval of keep-alive requests; 0 = none; default 15s"),
                new ConfigKey(
                        "maxSessions",
                        "channels at once per connection (the server's MaxSessions); more open another connection;"
                                + " default 10"),
                new ConfigKey("python", "Python interpreter on the host; default python3"),
                new ConfigKey("node", "Node.js executable on the host; default node")));
        KEYS = List.copyOf(keys);
    }

    public SshConfig {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(knownHostsFile, "knownHostsFile");
        Objects.requireNonNull(hostKeyPolicy, "hostKeyPolicy");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(authTimeout, "authTimeout");
        Objects.requireNonNull(keepAlive, "keepAlive");
        Objects.requireNonNull(python, "python");
        Objects.requireNonNull(node, "node");
        if (host.isBlank()) {
            throw new ConfigException("host", "config key 'host' is required: the host to connect to");
        }
        if (port < 1 || port > 65535) {
            throw new ConfigException("port", "config key 'port' has value " + port + "; expected 1 to 65535");
        }
        if (user.isBlank()) {
            throw new ConfigException("user", "config key 'user' is empty");
        }
        if (maxSessions < 2) {
            throw new ConfigException("maxSessions", "config key 'maxSessions' must be at least 2: " + maxSessions);
        }
        if (connectTimeout.isZero() || authTimeout.isZero()) {
            throw new ConfigException(
                    connectTimeout.isZero() ? "connectTimeout" : "authTimeout",
                    "config key '" + (connectTimeout.isZero() ? "connectTimeout" : "authTimeout")
                            + "' must be positive");
        }
        if (settings.inheritEnv()) {
            throw new ConfigException(
                    "inheritEnv", "config key 'inheritEnv': a remote host never gets this JVM's variables");
        }
        if (passphrase != null && privateKeyFile == null && privateKey == null) {
            throw new ConfigException(
                    "passphrase",
                    "config key 'passphrase' is set but no private key is (privateKeyFile or privateKey)");
        }
    }

    /**
     * Reads a configuration map.
     *
     * @throws ConfigException naming the key when a key is unknown or a value malformed
     */
    public static SshConfig from(java.util.Map<String, ?> config) {
        ConfigReader r = new ConfigReader(SshProvider.ID, config, KEYS);
        String home = System.getProperty("user.home");
        SshConfig result = new SshConfig(
                EnvironmentSettings.read(r),
                r.nonBlank("host").orElse(""),
                r.integer("port").orElse(22),
                r.nonBlank("user").orElse(System.getProperty("user.name", "")),
                r.string("password").orElse(null),
                r.nonBlank("privateKeyFile").map(SshConfig::expand).orElse(null),
                r.nonBlank("privateKey").orElse(null),
                r.string("passphrase").orElse(null),
                agent(r.nonBlank("agent").orElse("true")),
                r.nonBlank("knownHostsFile").map(SshConfig::expand).orElse(Path.of(home, ".ssh", "known_hosts")),
                r.choice("hostKeyPolicy", HostKeyPolicy.class).orElse(HostKeyPolicy.STRICT),
                r.duration("connectTimeout").orElse(Duration.ofSeconds(10)),
                r.duration("authTimeout").orElse(Duration.ofSeconds(10)),
                r.duration("keepAlive").orElse(Duration.ofSeconds(15)),
                r.integer("maxSessions").orElse(10),
                r.nonBlank("python").orElse("python3"),
                r.nonBlank("node").orElse("node"),
                r.nonBlank("python").isPresent(),
                r.nonBlank("node").isPresent());
        r.finish();
        return result;
    }

    private static @Nullable Path agent(String value) {
        return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "on" -> {
                String socket = System.getenv("SSH_AUTH_SOCK");
                yield socket == null || socket.isBlank() ? null : Path.of(socket);
            }
            case "false", "no", "off" -> null;
            default -> {
                Path socket = expand(value.trim());
                if (!socket.isAbsolute()) {
                    throw new ConfigException(
                            "agent",
                            "config key 'agent' has value '" + value + "'; expected true, false or a socket path");
                }
                yield socket;
            }
        };
    }

    private static Path expand(String path) {
        if (path.equals("~") || path.startsWith("~/")) {
            return Path.of(System.getProperty("user.home") + path.substring(1));
        }
        return Path.of(path);
    }

    /** Where it connects: {@code user@host:port}. */
    public String target() {
        return user + "@" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public String toString() {
        return "SshConfig[" + target() + ", password " + (password == null ? "none" : "***") + ", privateKeyFile "
                + privateKeyFile + ", privateKey " + (privateKey == null ? "none" : "***") + ", agent " + agentSocket
                + ", knownHostsFile " + knownHostsFile + ", hostKeyPolicy " + hostKeyPolicy + ", " + settings + "]";
    }
}
