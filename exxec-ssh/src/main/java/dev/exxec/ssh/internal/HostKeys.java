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
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
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
        // As OpenSSH: a key marked revoked for the host is refused wherever its line is, before or
        // after a line that lists it plainly; so the whole file is read before anything is decided.
        boolean listed = false;
        String known = null;
        for (KnownHostEntry entry : entries) {
            if (!applies(entry)) {
                continue;
            }
            PublicKey lineKey;
            try {
                lineKey = entry.getKeyEntry().resolvePublicKey(null, PublicKeyEntryResolver.IGNORING);
            } catch (IOException | GeneralSecurityException | RuntimeException e) {
                continue; // a key type this client does not know: not this key
            }
            if (lineKey == null) {
                continue;
            }
            boolean same = KeyUtils.compareKeys(lineKey, key);
            String marker = entry.getMarker();
            if (marker != null) {
                if ("revoked".equals(marker) && same) {
                    return refuse("the host key of " + hostName() + " (" + offered + ") is marked revoked in " + file);
                }
                // @cert-authority signs host certificates, which are not used here: the key on its
                // line is not the host's own, neither to accept nor to call a changed key.
                continue;
            }
            if (same) {
                listed = true;
            } else if (KeyUtils.getKeyType(lineKey).equals(KeyUtils.getKeyType(key)) || known == null) {
                known = KeyUtils.getKeyType(lineKey) + " " + KeyUtils.getFingerPrint(lineKey);
            }
        }
        if (listed) {
            refusal.set(null);
            return true;
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

    /**
     * Whether a line is about this host, as OpenSSH decides it: its names are matched against {@link
     * #hostName()} ({@code [host]:port} for other ports than 22), so {@code *} covers every host and
     * port, {@code ?} one character, case aside; a line whose negated pattern ({@code !name}) matches
     * is not about the host. A hashed name is the HMAC of that same string.
     */
    boolean applies(KnownHostEntry entry) {
        String line = entry.getConfigLine();
        String[] fields = line == null ? new String[0] : line.trim().split("\\s+");
        int names = fields.length > 0 && fields[0].startsWith("@") ? 1 : 0;
        if (fields.length <= names || fields[names].startsWith("|")) {
            return entry.isHostMatch(host, port); // hashed: MINA hashes the same [host]:port form
        }
        String name = hostName().toLowerCase(Locale.ROOT);
        boolean match = false;
        for (String pattern : fields[names].split(",")) {
            boolean negated = pattern.startsWith("!");
            String glob = (negated ? pattern.substring(1) : pattern).toLowerCase(Locale.ROOT);
            if (glob.isEmpty() || !globMatches(glob, name)) {
                continue;
            }
            if (negated) {
                return false;
            }
            match = true;
        }
        return match;
    }

    private static boolean globMatches(String glob, String text) {
        StringBuilder regex = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.matches(regex.toString(), text);
    }

    private boolean refuse(String why) {
        refusal.set(why);
        return false;
    }
}
