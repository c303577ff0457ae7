package dev.exxec.ssh.internal;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.client.keyverifier.ServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.jspecify.annotations.Nullable;

/**
 * Checks a server's host key against a known_hosts file, as OpenSSH does: a key the file holds for
 * the host (plain or hashed name, {@code [host]:port} for other ports than 22) passes; a different key
 * for a known host never does; an unknown host passes only with {@code acceptNew}, and is then added
 * to the file. Why a key was refused is kept for the error the caller gets.
 */
public final class HostKeys implements ServerKeyVerifier {
    private final Path file;
    private final String host;
    private final int port;
    private final boolean acceptNew;
    private final AtomicReference<@Nullable String> refusal = new AtomicReference<>();

    public HostKeys(Path file, String host, int port, boolean acceptNew) {
        this.file = file;
        this.host = host;
        this.port = port;
        this.acceptNew = acceptNew;
    }

    /** Why the last key was refused, in words naming the host, the key's fingerprint and the file. */
    public @Nullable String refusal() {
        return refusal.get();
    }

    /** How the file names the host: {@code host}, or {@code [host]:port} for other ports than 22. */
    String hostName() {
        return port == 22 ? host : "[" + host + "]:" + port;
    }

    @Override
    public boolean verifyServerKey(ClientSession session, SocketAddress remote, PublicKey key) {
        String offered = KeyUtils.getKeyType(key) + " " + KeyUtils.getFingerPrint(key);
        List<KnownHostEntry> entries;
        try {
            entries = Files.exists(file) ? KnownHostEntry.readKnownHostEntries(file) : List.of();
        } catch (IOException | RuntimeException e) {
            return refuse("the known_hosts file " + file + " cannot be read (" + e.getMessage()
                    + "), so the host key of " + hostName() + " (" + offered + ") cannot be checked");
        }
        String known = null;
        for (KnownHostEntry entry : entries) {
            if (!entry.isHostMatch(host, port)) {
                continue;
            }
            PublicKey listed;
            try {
                listed = entry.getKeyEntry().resolvePublicKey(null, PublicKeyEntryResolver.IGNORING);
            } catch (IOException | GeneralSecurityException | RuntimeException e) {
                continue; // a key type this client does not know: not this key
            }
            if (listed == null) {
                continue;
            }
            boolean same = KeyUtils.compareKeys(listed, key);
            if ("revoked".equals(entry.getMarker())) {
                if (same) {
                    return refuse("the host key of " + hostName() + " (" + offered + ") is marked revoked in " + file);
                }
                continue;
            }
            if (entry.getMarker() != null) {
                continue; // @cert-authority: certificates are not used here
            }
            if (same) {
                refusal.set(null);
                return true;
            }
            if (KeyUtils.getKeyType(listed).equals(KeyUtils.getKeyType(key)) || known == null) {
                known = KeyUtils.getKeyType(listed) + " " + KeyUtils.getFingerPrint(listed);
            }
        }
        if (known != null) {
            return refuse("the host key of " + hostName() + " has CHANGED: the server offers " + offered + " but "
                    + file + " lists " + known + "; someone may be intercepting the connection. If the host was"
                    + " really re-keyed, remove the old entry (ssh-keygen -R '" + hostName() + "' -f " + file + ")");
        }
        if (!acceptNew) {
            return refuse("the host key of " + hostName() + " (" + offered + ") is not in " + file
                    + "; check the fingerprint and add it (ssh-keyscan -p " + port + " " + host + " >> " + file
                    + "), or set hostKeyPolicy=accept-new to trust it on first use");
        }
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            String line = hostName() + " " + PublicKeyEntry.toString(key) + System.lineSeparator();
            Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException | RuntimeException e) {
            return refuse("the new host key of " + hostName() + " (" + offered + ") could not be added to " + file
                    + ": " + e.getMessage());
        }
        refusal.set(null);
        return true;
    }

    private boolean refuse(String why) {
        refusal.set(why);
        return false;
    }
}
