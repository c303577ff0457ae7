package dev.exxec.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.exxec.ConfigException;
import dev.exxec.Exxec;
import dev.exxec.testkit.Requirements;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A private key is read before any connection, so none of this needs an SSH server: only {@code
 * ssh-keygen}, to make keys as users do. A wrong passphrase is the {@code passphrase} key's fault,
 * an encrypted key without one asks for it, and only a file that holds no key this client reads is
 * {@code privateKeyFile}'s.
 */
class KeyFileTest {
    private static final String PASSPHRASE = "correct horse battery staple";

    @TempDir
    Path dir;

    /** A port nothing listens on: the key is refused before it would be dialled. */
    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private ConfigException refused(Map<String, ?> keys) throws IOException {
        Map<String, Object> config = new HashMap<>(keys);
        config.put("host", "127.0.0.1");
        config.put("port", closedPort());
        config.put("user", "nobody");
        config.put("hostKeyPolicy", "accept-new");
        config.put("knownHostsFile", dir.resolve("known_hosts").toString());
        return catchThrowableOfType(
                ConfigException.class, () -> Exxec.environment("ssh", config).close());
    }

    private Path keygen(String format, String type) throws IOException, InterruptedException {
        Path file = dir.resolve(type + "-" + format);
        List<String> command = new ArrayList<>(
                List.of("ssh-keygen", "-q", "-t", type, "-N", PASSPHRASE, "-C", "exxec-test", "-f", file.toString()));
        if (format.equals("openssh")) {
            // One round of the key derivation instead of 16: the test is about whose fault, not strength.
            command.addAll(List.of("-a", "1"));
        } else {
            command.addAll(List.of("-m", format));
        }
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            Requirements.require(false, "ssh-keygen is not installed (apt-get install openssh-client)");
            throw e;
        }
        String out = new String(p.getInputStream().readAllBytes());
        Requirements.require(p.waitFor() == 0, "ssh-keygen made a " + type + " key in " + format + " format: " + out);
        return file;
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssh ed25519", "openssh rsa", "openssh ecdsa", "PEM rsa", "PEM ecdsa", "PKCS8 rsa"})
    void aWrongPassphraseIsThePassphrasesFault(String kind) throws Exception {
        String[] k = kind.split(" ");
        Path key = keygen(k[0], k[1]);

        ConfigException wrong = refused(Map.of("privateKeyFile", key.toString(), "passphrase", "wrong"));
        assertThat(wrong).as(kind).isNotNull();
        assertThat(wrong.key()).as(wrong.getMessage()).isEqualTo("passphrase");
        assertThat(wrong.getMessage())
                .contains("wrong passphrase")
                .contains(key.toString())
                .doesNotContain("wrong'");

        ConfigException none = refused(Map.of("privateKeyFile", key.toString()));
        assertThat(none).as(kind).isNotNull();
        assertThat(none.key()).as(none.getMessage()).isEqualTo("passphrase");
        assertThat(none.getMessage()).contains("is encrypted: set 'passphrase'");

        ConfigException inMemory = refused(Map.of("privateKey", Files.readString(key), "passphrase", "wrong"));
        assertThat(inMemory).as(kind).isNotNull();
        assertThat(inMemory.key()).as(inMemory.getMessage()).isEqualTo("passphrase");
        assertThat(inMemory.getMessage()).contains("wrong passphrase");
    }

    @Test
    void aFileThatHoldsNoKeyIsThePrivateKeyFilesFault() throws Exception {
        Path notAKey = Files.writeString(dir.resolve("notes.txt"), "not a key\n");
        for (Map<String, ?> config : List.of(
                Map.of("privateKeyFile", notAKey.toString()),
                Map.of("privateKeyFile", notAKey.toString(), "passphrase", PASSPHRASE))) {
            ConfigException e = refused(config);
            assertThat(e).as(config.toString()).isNotNull();
            assertThat(e.key()).as(e.getMessage()).isEqualTo("privateKeyFile");
        }

        Path key = keygen("openssh", "ed25519");
        String text = Files.readString(key);
        Path damaged = Files.writeString(
                dir.resolve("damaged"), text.substring(0, text.length() / 2) + "\n-----END OPENSSH PRIVATE KEY-----\n");
        ConfigException e = refused(Map.of("privateKeyFile", damaged.toString(), "passphrase", PASSPHRASE));
        assertThat(e).isNotNull();
        assertThat(e.key()).as(e.getMessage()).isEqualTo("privateKeyFile");

        ConfigException missing =
                refused(Map.of("privateKeyFile", dir.resolve("none").toString()));
        assertThat(missing.key()).as(missing.getMessage()).isEqualTo("privateKeyFile");
    }
}
