package dev.exxec.ssh;

import dev.exxec.testkit.Requirements;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real OpenSSH server on 127.0.0.1 for the tests, started once per JVM with keys made here: a
 * host key, a user key, an encrypted user key, a known_hosts file that knows the host key. When the
 * JVM runs as root, a test user with a fresh password is made too (password logins need a user whose
 * password the test knows), whose {@code ~/.bashrc} prints on standard error, as many do. Stopped when
 * the JVM ends.
 */
final class SshServer {
    static final String SSHD = "/usr/sbin/sshd";
    static final String SFTP_SERVER = "/usr/lib/openssh/sftp-server";
    static final String PASSWORD_USER = "exxec-ssh-test";
    static final String PASSPHRASE = "correct horse 'battery' $staple";

    /** The test user's ~/.bashrc: it talks on standard error, where SFTP does not mind. */
    static final String QUIET_RC = "echo 'noise from .bashrc on stderr' >&2\n";

    private static SshServer running;

    static Path passwordUserRc() {
        return Path.of("/home", PASSWORD_USER, ".bashrc");
    }

    final Path dir;
    final int port;
    final String user;
    final Path userKey;
    final Path encryptedKey;
    final Path knownHosts;
    final Path hostPublicKey;
    final String password;
    private final Process process;

    private SshServer(Path dir, int port, String password, Process process) {
        this.dir = dir;
        this.port = port;
        this.user = System.getProperty("user.name");
        this.userKey = dir.resolve("user_ed25519");
        this.encryptedKey = dir.resolve("user_encrypted");
        this.knownHosts = dir.resolve("known_hosts");
        this.hostPublicKey = dir.resolve("host_ed25519.pub");
        this.password = password;
        this.process = process;
    }

    /** The server, started on first use; skips (or fails under EXXEC_REQUIRE_ALL) without OpenSSH. */
    static synchronized SshServer get() {
        Requirements.require(
                Files.isExecutable(Path.of(SSHD)) && Files.isExecutable(Path.of(SFTP_SERVER)),
                "OpenSSH's server is not installed (apt-get install openssh-server)");
        if (running == null) {
            try {
                running = start();
            } catch (IOException e) {
                throw new IllegalStateException("could not start sshd for the tests: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(running::stop));
        }
        return running;
    }

    private static SshServer start() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("exxec-sshd-");
        keygen(dir.resolve("host_ed25519"), "");
        keygen(dir.resolve("user_ed25519"), "");
        keygen(dir.resolve("user_encrypted"), PASSPHRASE);
        Files.writeString(
                dir.resolve("authorized_keys"),
                Files.readString(dir.resolve("user_ed25519.pub"))
                        + Files.readString(dir.resolve("user_encrypted.pub")));
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String hostKey = Files.readString(dir.resolve("host_ed25519.pub")).trim();
        String[] parts = hostKey.split(" ");
        Files.writeString(dir.resolve("known_hosts"), "[127.0.0.1]:" + port + " " + parts[0] + " " + parts[1] + "\n");
        String password = "";
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root) {
            password = "pw-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(8)) + "-'$`x";
            if (run(List.of("id", PASSWORD_USER)) != 0) {
                run(List.of("/usr/sbin/useradd", "--create-home", "--shell", "/bin/bash", PASSWORD_USER));
            }
            run(List.of("/usr/sbin/usermod", "--shell", "/bin/bash", PASSWORD_USER));
            // bash under sshd reads ~/.bashrc even for a command: one that talks, as many do.
            Files.writeString(passwordUserRc(), QUIET_RC);
            run(List.of("chown", PASSWORD_USER + ":", passwordUserRc().toString()));
            Process chpasswd = new ProcessBuilder("/usr/sbin/chpasswd")
                    .redirectErrorStream(true)
                    .start();
            chpasswd.getOutputStream().write((PASSWORD_USER + ":" + password + "\n").getBytes(StandardCharsets.UTF_8));
            chpasswd.getOutputStream().close();
            chpasswd.waitFor(10, TimeUnit.SECONDS);
            Files.createDirectories(Path.of("/run/sshd"));
        }
        Files.writeString(
                dir.resolve("sshd_config"),
                String.join(
                        "\n",
                        "Port " + port,
                        "ListenAddress 127.0.0.1",
                        "HostKey " + dir.resolve("host_ed25519"),
                        "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
                        "PidFile " + dir.resolve("sshd.pid"),
                        "StrictModes no",
                        "UsePAM no",
                        "PermitRootLogin yes",
                        "PasswordAuthentication yes",
                        "KbdInteractiveAuthentication no",
                        "PubkeyAuthentication yes",
                        "MaxStartups 100",
                        "LogLevel ERROR",
                        "Subsystem sftp " + SFTP_SERVER,
                        ""));
        Process sshd = new ProcessBuilder(
                        SSHD, "-D", "-e", "-f", dir.resolve("sshd_config").toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("sshd.log").toFile())
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                break;
            } catch (IOException e) {
                if (!sshd.isAlive() || System.nanoTime() > deadline) {
                    sshd.destroyForcibly();
                    throw new IOException("sshd did not start: " + Files.readString(dir.resolve("sshd.log")));
                }
                Thread.sleep(20);
            }
        }
        return new SshServer(dir, port, password, sshd);
    }

    private static void keygen(Path file, String passphrase) throws IOException, InterruptedException {
        int code = run(List.of(
                "ssh-keygen", "-q", "-t", "ed25519", "-N", passphrase, "-C", "exxec-test", "-f", file.toString()));
        if (code != 0) {
            throw new IOException("ssh-keygen failed for " + file);
        }
    }

    static int run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        return p.waitFor();
    }

    /** Whether password logins can be tested (the test user exists, made as root). */
    boolean hasPasswordUser() {
        return !password.isEmpty();
    }

    /** The configuration of an environment on this server, logged in with the user key. */
    Map<String, Object> config() {
        Map<String, Object> config = new HashMap<>();
        config.put("host", "127.0.0.1");
        config.put("port", port);
        config.put("user", user);
        config.put("privateKeyFile", userKey.toString());
        config.put("knownHostsFile", knownHosts.toString());
        config.put("agent", false);
        return config;
    }

    /** Like {@link #config()} with keys replaced or added. */
    Map<String, Object> config(Map<String, ?> more) {
        Map<String, Object> config = config();
        more.forEach((k, v) -> {
            if (v == null) {
                config.remove(k);
            } else {
                config.put(k, v);
            }
        });
        return config;
    }

    private void stop() {
        process.destroy();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process.destroyForcibly();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a temporary directory: the system's cleaning takes the rest
        }
    }
}
