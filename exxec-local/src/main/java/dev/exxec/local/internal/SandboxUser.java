package dev.exxec.local.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Who a sandbox is on the host. When this JVM runs as an ordinary user, its sandboxes run as that
 * user: bubblewrap maps the sandbox's uid 1000 to it in a user namespace of its own. When this JVM
 * runs as root, a sandbox mapped to root would make the code host root in all but its
 * capabilities: every file root owns would be the code's own, and one missing mask or filter would
 * hand it root's powers. So then the sandbox runs as an unprivileged host uid of its own ({@link
 * #DEFAULT_UID} unless configured): the host side joins the call's cgroups and opens what bubblewrap
 * reads while it is still root, then drops to that uid ({@code setpriv}) before bubblewrap starts.
 *
 * @param drops whether the sandbox runs as another uid than this JVM's (this JVM is root)
 * @param uid the host uid the sandbox runs as
 * @param gid the host gid the sandbox runs as
 * @param setpriv util-linux's {@code setpriv}, which drops to it, or null where not needed or missing
 */
public record SandboxUser(
        boolean drops, int uid, int gid, @Nullable Path setpriv) {
    /**
     * The host uid (and gid) a sandbox runs as when this JVM is root: in the block Debian reserves and
     * no package or installer hands out (65000–65533), above systemd's dynamic users (61184–65519),
     * below nobody (65534), so that it owns nothing on a host but what exxec gives it.
     */
    public static final int DEFAULT_UID = 65530;

    /** The sandbox user for this JVM, with {@code uid} as the uid to drop to when this JVM is root. */
    public static SandboxUser of(int uid) {
        int own = ownUid();
        if (own != 0) {
            return new SandboxUser(false, own, ownGid(), null);
        }
        Path setpriv =
                Interpreters.locate("setpriv", "/usr/bin:/bin:/usr/sbin:/sbin").orElse(null);
        return new SandboxUser(true, uid, uid, setpriv);
    }

    /** This JVM's effective uid: the owner of its own {@code /proc} entry. */
    public static int ownUid() {
        return attribute("unix:uid");
    }

    private static int ownGid() {
        return attribute("unix:gid");
    }

    private static int attribute(String name) {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), name);
        } catch (IOException | UnsupportedOperationException e) {
            return -1;
        }
    }

    /** Why the sandbox cannot run as this user here, or null when it can. */
    public @Nullable String problem() {
        if (drops && setpriv == null) {
            return "exxec runs as root, so the sandbox runs code as the unprivileged uid " + uid
                    + ", and util-linux's setpriv, which drops to it, is not installed";
        }
        return null;
    }

    /**
     * The command line that runs what follows it as this user, empty when nothing needs dropping: no
     * supplementary groups, no capabilities, and no way back (no new privileges).
     */
    public List<String> prefix() {
        if (!drops) {
            return List.of();
        }
        return List.of(
                String.valueOf(setpriv),
                "--reuid=" + uid,
                "--regid=" + gid,
                "--clear-groups",
                "--inh-caps=-all",
                "--no-new-privs",
                "--");
    }

    /**
     * Whether this user can reach {@code path}: search every directory on the way and read it (and
     * search it, for a directory). Judged from the permission bits alone (an ACL that grants more is
     * not seen: the path is then made reachable another way, which costs time, never safety).
     */
    public boolean reaches(Path path) {
        return reaches(path, false);
    }

    /** Whether this user can also write {@code path}. */
    public boolean writes(Path path) {
        return reaches(path, true);
    }

    private boolean reaches(Path path, boolean write) {
        if (!drops) {
            return true;
        }
        try {
            Path real = path.toRealPath();
            Path at = real.getRoot();
            for (Path name : real) {
                if (!allowed(at, PosixFilePermission.OWNER_EXECUTE)) {
                    return false;
                }
                at = at.resolve(name);
            }
            boolean dir = Files.isDirectory(at, LinkOption.NOFOLLOW_LINKS);
            return allowed(at, PosixFilePermission.OWNER_READ)
                    && (!dir || allowed(at, PosixFilePermission.OWNER_EXECUTE))
                    && (!write || allowed(at, PosixFilePermission.OWNER_WRITE));
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether this user has {@code what} (named by its owner bit) on {@code p}. */
    private boolean allowed(Path p, PosixFilePermission what) throws IOException {
        Map<String, Object> a = Files.readAttributes(p, "unix:uid,gid,permissions", LinkOption.NOFOLLOW_LINKS);
        @SuppressWarnings("unchecked")
        Set<PosixFilePermission> perms = (Set<PosixFilePermission>) a.get("permissions");
        int shift = (int) a.get("uid") == uid ? 0 : (int) a.get("gid") == gid ? 1 : 2;
        PosixFilePermission needed = PosixFilePermission.values()[what.ordinal() + 3 * shift];
        return perms.contains(needed);
    }

    /** What this user owns of what exxec makes for it (the workspace, the zygote's FIFOs), as {@code chown} would. */
    public void own(Path path) throws IOException {
        if (drops) {
            Files.setAttribute(path, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(path, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
        }
    }

    /** The sandbox user's view, for a message: "uid 65530" or "this JVM's user". */
    public String describe() {
        return drops ? "uid " + uid : "this JVM's user (uid " + uid + ")";
    }
}
