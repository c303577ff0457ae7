package dev.exxec.ssh.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The known_hosts rules as OpenSSH applies them: a revoked key is refused wherever its line is, other
 * markers never vouch for a host key, hashed names match like plain ones.
 */
class HostKeysTest {
    private static final String HOST = "127.0.0.1";
    private static final int PORT = 2222;
    private static final String NAME = "[127.0.0.1]:2222";

    @TempDir
    Path dir;

    private static PublicKey newKey() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair().getPublic();
    }

    private static String line(String names, PublicKey key) {
        return names + " " + PublicKeyEntry.toString(key) + "\n";
    }

    /** A hashed name as {@code ssh-keygen -H} writes it. */
    private static String hashed(String name) throws Exception {
        byte[] salt = new byte[20];
        new java.security.SecureRandom().nextBytes(salt);
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(salt, "HmacSHA1"));
        byte[] hash = mac.doFinal(name.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        Base64.Encoder b64 = Base64.getEncoder();
        return "|1|" + b64.encodeToString(salt) + "|" + b64.encodeToString(hash);
    }

    private HostKeys check(String content) throws Exception {
        Path file = dir.resolve("known_hosts");
        Files.writeString(file, content);
        return new HostKeys(file, HOST, PORT, false);
    }

    private static boolean verify(HostKeys keys, PublicKey key) {
        return keys.verifyServerKey(null, null, key);
    }

    @Test
    void aListedKeyPasses() throws Exception {
        PublicKey key = newKey();
        assertThat(verify(check(line(NAME, key)), key)).isTrue();
    }

    @Test
    void aRevokedKeyIsRefusedWhenItsLineComesAfterTheKeysOwn() throws Exception {
        PublicKey key = newKey();
        HostKeys keys = check(line(NAME, key) + "@revoked " + line(NAME, key));
        assertThat(verify(keys, key)).isFalse();
        assertThat(keys.refusal()).contains("revoked");
    }

    @Test
    void aRevokedKeyIsRefusedWhenItsLineComesFirst() throws Exception {
        PublicKey key = newKey();
        HostKeys keys = check("@revoked " + line(NAME, key) + line(NAME, key));
        assertThat(verify(keys, key)).isFalse();
        assertThat(keys.refusal()).contains("revoked");
    }

    @Test
    void aKeyRevokedForEveryHostIsRefused() throws Exception {
        PublicKey key = newKey();
        HostKeys keys = check(line(NAME, key) + "@revoked * " + PublicKeyEntry.toString(key) + "\n");
        assertThat(verify(keys, key)).isFalse();
        assertThat(keys.refusal()).contains("revoked");
    }

    @Test
    void hashedNamesMatchForTheKeyAndForItsRevocation() throws Exception {
        PublicKey key = newKey();
        assertThat(verify(check(line(hashed(NAME), key)), key)).isTrue();
        HostKeys keys = check(line(hashed(NAME), key) + "@revoked " + line(hashed(NAME), key));
        assertThat(verify(keys, key)).isFalse();
        assertThat(keys.refusal()).contains("revoked");
        // A hash of another name is another host's line.
        assertThat(verify(check(line(hashed("[127.0.0.1]:2223"), key)), key)).isFalse();
    }

    @Test
    void patternsMatchTheHostAndPortAsOpenSshDoes() throws Exception {
        PublicKey key = newKey();
        assertThat(verify(check(line("*", key)), key)).isTrue();
        assertThat(verify(check(line("[127.0.0.?]:2222", key)), key)).isTrue();
        assertThat(verify(check(line("other," + NAME, key)), key)).isTrue();
        // without the port, the name is port 22's
        assertThat(verify(check(line(HOST, key)), key)).isFalse();
        // a matching negated pattern takes the line away from the host
        assertThat(verify(check(line("*,!" + NAME, key)), key)).isFalse();
        assertThat(verify(check(line("*,!" + NAME, key) + "@revoked * " + PublicKeyEntry.toString(key) + "\n"), key))
                .isFalse();
    }

    @Test
    void aRevokedOtherKeyDoesNotHideTheListedOne() throws Exception {
        PublicKey key = newKey();
        assertThat(verify(check("@revoked " + line(NAME, newKey()) + line(NAME, key)), key))
                .isTrue();
    }

    @Test
    void aCertificateAuthorityLineNeverVouchesForAHostKey() throws Exception {
        PublicKey key = newKey();
        HostKeys keys = check("@cert-authority " + line(NAME, key));
        assertThat(verify(keys, key)).isFalse();
        assertThat(keys.refusal()).contains("is not in");
        // nor makes the listed key look changed
        PublicKey other = newKey();
        assertThat(verify(check("@cert-authority " + line(NAME, other) + line(NAME, key)), key))
                .isTrue();
        HostKeys after = check(line(NAME, key) + "@cert-authority " + line(NAME, other));
        assertThat(verify(after, key)).isTrue();
    }

    @Test
    void aDifferentKeyForTheHostIsAChange() throws Exception {
        PublicKey key = newKey();
        HostKeys keys = check(line(NAME, newKey()));
        assertThat(verify(keys, key)).isFalse();
        assertThat(keys.refusal()).contains("CHANGED");
    }
}
