package dev.exxec.ssh;

import dev.exxec.ExecutionEnvironment;
import java.util.Map;

/**
 * SSH environments: code and commands on another machine, as its user, over one SSH connection
 * (Apache MINA SSHD) with a channel per call. On start the host gets a directory from {@code mktemp
 * -d}: the workspace, where files go over SFTP, and exxec's scripts and drivers; interpreters are
 * found once. Code reaches the host as a file over SFTP, never inside a command line; variables and
 * the working directory are quoted so that any value arrives as it was given.
 *
 * <p>A deadline kills the call's whole process tree, session and process group on the host. When the
 * environment closes, or its connection is lost (the JVM died), a keeper process on the host kills
 * what calls left and removes the directory. The host key is checked against a known_hosts file,
 * strictly unless {@code hostKeyPolicy=accept-new}.
 *
 * <p>Not a sandbox: the code has the login user's rights on that machine.
 *
 * {@snippet :
 * try (ExecutionEnvironment env = SshEnvironment.create(Map.of(
 *         "host", "build.example.com", "user", "ci", "privateKeyFile", "~/.ssh/id_ed25519"))) {
 *     env.execute("import platform\n_result = platform.node()").result();
 * }
 * }
 */
public final class SshEnvironment {
    private SshEnvironment() {}

    /**
     * Connects and starts an environment from configuration keys (see {@link SshConfig#KEYS}).
     *
     * @throws dev.exxec.ConfigException naming the key when a key is unknown or a value malformed
     * @throws dev.exxec.ProviderUnavailableException when the host cannot be reached, or a configured
     *     interpreter is not there
     * @throws dev.exxec.EnvironmentStartException when the host key is refused, authentication fails,
     *     or the host cannot make the workspace
     */
    public static ExecutionEnvironment create(Map<String, ?> config) {
        return new RemoteEnvironment(SshConfig.from(config));
    }

    /** Connects and starts an environment from a configuration record. */
    public static ExecutionEnvironment create(SshConfig config) {
        return new RemoteEnvironment(config);
    }
}
