package dev.exxec.local.internal;

import dev.exxec.local.SandboxPolicy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The bubblewrap ({@code bwrap}) command line of a sandboxed process, and whether bubblewrap works
 * on this machine.
 *
 * <p>The sandbox has new user, PID, IPC, UTS, cgroup and (unless the network is shared) network
 * namespaces; dies with its parent; runs without capabilities and without the right to make further
 * user namespaces; sees the system directories read-only, a whitelist of {@code /etc}, a private
 * {@code /tmp} of bounded size, its workspace read-write, the driver directory and the interpreters'
 * installations read-only, and nothing else of the host: not the home directories, not {@code /root},
 * not the JVM's files, not the host's processes. Its root is read-only.
 */
public final class Bubblewrap {
    /** The uid and gid the code runs as inside (mapped to the JVM's user outside). */
    public static final int UID = 1000;

    private static final List<String> SYSTEM = List.of("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32");
    /** What of /etc the interpreters, the shell and TLS need; never shadow, sudoers, ssh keys and the like. */
    private static final List<String> ETC = List.of(
            "alternatives",
            "bash.bashrc",
            "ca-certificates",
            "ca-certificates.conf",
            "debian_version",
            "fonts",
            "gai.conf",
            "host.conf",
            "inputrc",
            "ld.so.cache",
            "ld.so.conf",
            "ld.so.conf.d",
            "localtime",
            "magic",
            "mime.types",
            "nsswitch.conf",
            "os-release",
            "profile",
            "profile.d",
            "protocols",
            "services",
            "ssl",
            "terminfo",
            "timezone");
    /** Where the host's name resolution lives; only for a sandbox that shares the host's network. */
    private static final List<String> ETC_NETWORK = List.of("hosts", "resolv.conf");

    private static volatile @Nullable Probe probe;

    private Bubblewrap() {}

    /**
     * Whether bubblewrap works here.
     *
     * @param executable the bwrap found, or null
     * @param version its version line
     * @param problem why it does not work, or null
     * @param fix how to make it work, or null
     */
    public record Probe(
            @Nullable Path executable,
            String version,
            @Nullable String problem,
            @Nullable String fix) {
        public boolean works() {
            return problem == null;
        }
    }

    /** Probes once per JVM: finds bwrap and starts one sandbox with every namespace. */
    public static Probe probe() {
        Probe p = probe;
        if (p == null) {
            probe = p = runProbe();
        }
        return p;
    }

    private static Probe runProbe() {
        return probe(Interpreters.systemPath() + ":/usr/bin");
    }

    /** Probes with {@code bwrap} looked up on {@code path}, without caching (for tests). */
    public static Probe probe(String path) {
        Optional<Path> found = Interpreters.locate("bwrap", path);
        if (found.isEmpty()) {
            return new Probe(
                    null,
                    "",
                    "bubblewrap (bwrap) is not installed",
                    "install it: apt-get install bubblewrap (Debian, Ubuntu), dnf install bubblewrap (Fedora)");
        }
        Path bwrap = found.get();
        List<String> command = new ArrayList<>(List.of(bwrap.toString()));
        command.addAll(List.of(
                "--unshare-user",
                "--unshare-pid",
                "--unshare-ipc",
                "--unshare-uts",
                "--unshare-net",
                "--die-with-parent",
                "--disable-userns",
                "--cap-drop",
                "ALL"));
        command.addAll(systemMounts());
        command.addAll(List.of("--proc", "/proc", "--dev", "/dev", "/bin/sh", "-c", "exit 0"));
        try {
            String version =
                    run(List.of(bwrap.toString(), "--version")).output().trim();
            Result r = run(command);
            if (r.exit() == 0) {
                return new Probe(bwrap, version, null, null);
            }
            String error = r.output().trim();
            String fix = error.contains("uid map")
                            || error.contains("namespace")
                            || error.contains("Operation not permitted")
                    ? "user namespaces are not available to this user: enable them (sysctl kernel.unprivileged_userns_clone=1,"
                            + " or on Ubuntu 24.04+ kernel.apparmor_restrict_unprivileged_userns=0) or run where they are"
                    : "check that bubblewrap works: run '" + bwrap + " --unshare-all --ro-bind / / true'";
            return new Probe(bwrap, version, "bubblewrap cannot create a sandbox here: " + error, fix);
        } catch (IOException e) {
            return new Probe(bwrap, "", "bubblewrap could not be run: " + e.getMessage(), "reinstall bubblewrap");
        }
    }

    private record Result(int exit, String output) {}

    private static Result run(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        try {
            byte[] out = p.getInputStream().readNBytes(4096);
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "timed out");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }

    /** The system directories, read-only; a symbolic link (merged /usr) stays a link. */
    static List<String> systemMounts() {
        List<String> args = new ArrayList<>();
        for (String dir : SYSTEM) {
            Path p = Path.of(dir);
            try {
                if (Files.isSymbolicLink(p)) {
                    args.addAll(List.of("--symlink", Files.readSymbolicLink(p).toString(), dir));
                } else if (Files.isDirectory(p)) {
                    args.addAll(List.of("--ro-bind", dir, dir));
                }
            } catch (IOException e) {
                // unreadable: leave it out
            }
        }
        return args;
    }

    /** Whether {@code path} is inside a system directory, which every sandbox sees anyway. */
    static boolean underSystem(Path path) {
        for (String dir : SYSTEM) {
            if (path.startsWith(dir)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Everything a sandboxed process needs.
     *
     * @param bwrap the bubblewrap executable
     * @param policy network and binds (limits are applied outside bwrap)
     * @param workspace the host directory the code sees as {@code visibleWorkspace}
     * @param visibleWorkspace where the code sees it
     * @param drivers the host directory of the drivers
     * @param visibleDrivers where the code sees them
     * @param etc a host directory holding the sandbox's own {@code passwd} and {@code group}
     * @param installations interpreter installations to show read-only at their own paths
     * @param cwd the working directory, as the code sees it
     * @param terminal whether it runs on a terminal (then it keeps its session, for job control)
     * @param command what to run, as the code sees paths
     */
    public record Spec(
            Path bwrap,
            SandboxPolicy policy,
            Path workspace,
            String visibleWorkspace,
            Path drivers,
            String visibleDrivers,
            Path etc,
            Collection<Path> installations,
            String cwd,
            boolean terminal,
            List<String> command) {}

    /** The command line: bwrap, its options, {@code --}, the command. */
    public static List<String> command(Spec spec) {
        List<String> args = new ArrayList<>();
        args.add(spec.bwrap().toString());
        args.addAll(
                List.of("--unshare-user", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"));
        boolean hostNetwork = spec.policy().network() == SandboxPolicy.Network.HOST;
        if (!hostNetwork) {
            args.add("--unshare-net");
        }
        args.addAll(List.of("--uid", Integer.toString(UID), "--gid", Integer.toString(UID), "--hostname", "exxec"));
        args.addAll(List.of("--die-with-parent", "--disable-userns", "--cap-drop", "ALL"));
        if (!spec.terminal()) {
            args.add("--new-session"); // no controlling terminal to push input into (TIOCSTI)
        }
        args.addAll(systemMounts());
        etc(args, hostNetwork);
        args.addAll(List.of("--ro-bind", spec.etc().resolve("passwd").toString(), "/etc/passwd"));
        args.addAll(List.of("--ro-bind", spec.etc().resolve("group").toString(), "/etc/group"));
        args.addAll(List.of("--proc", "/proc", "--dev", "/dev"));
        args.addAll(List.of("--size", Long.toString(spec.policy().tmpSizeBytes()), "--tmpfs", "/tmp"));
        args.addAll(List.of("--bind", spec.workspace().toString(), spec.visibleWorkspace()));
        args.addAll(List.of("--ro-bind", spec.drivers().toString(), spec.visibleDrivers()));
        for (Path p : spec.installations()) {
            if (!underSystem(p) && Files.exists(p)) {
                args.addAll(List.of("--ro-bind", p.toString(), p.toString()));
            }
        }
        for (Path p : spec.policy().readOnlyBinds()) {
            args.addAll(List.of("--ro-bind", p.toString(), p.toString()));
        }
        for (Path p : spec.policy().writableBinds()) {
            args.addAll(List.of("--bind", p.toString(), p.toString()));
        }
        args.addAll(List.of("--remount-ro", "/", "--chdir", spec.cwd(), "--"));
        args.addAll(spec.command());
        return args;
    }

    /**
     * The command line of a sandbox for a zygote ({@code python_zygote.py --sandbox}), made from that
     * of a call ({@link #command}, with its wrapper): the same policy, mounts and limits, but the
     * sandbox keeps {@code CAP_SYS_ADMIN}, {@code CAP_NET_ADMIN} and {@code CAP_SETPCAP} in its own user
     * namespace (so that each child makes namespaces of its own: PID, mount with a fresh {@code /proc}
     * and {@code /tmp}, IPC, network; the child drops every capability before it runs a call), sees
     * the host's {@code /proc} instead of bubblewrap's (a fresh {@code /proc} may be mounted
     * only where an unobstructed one is visible; a call never sees it: its own is mounted over it),
     * and {@code fifos} at {@code visibleFifos}, where the zygote makes the calls' FIFOs (a call never
     * sees it either: an empty directory is mounted over it).
     */
    public static List<String> forZygote(List<String> call, Path fifos, String visibleFifos) {
        List<String> args = new ArrayList<>(call);
        int drop = indexOf(args, "--cap-drop", "ALL");
        args.addAll(
                drop + 2,
                List.of("--cap-add", "CAP_SYS_ADMIN", "--cap-add", "CAP_NET_ADMIN", "--cap-add", "CAP_SETPCAP"));
        int proc = indexOf(args, "--proc", "/proc");
        args.set(proc, "--bind");
        args.add(proc + 1, "/proc");
        int remount = indexOf(args, "--remount-ro", "/");
        args.addAll(remount, List.of("--bind", fifos.toString(), visibleFifos));
        return args;
    }

    private static int indexOf(List<String> args, String option, String value) {
        for (int i = 0; i + 1 < args.size(); i++) {
            if (args.get(i).equals(option) && args.get(i + 1).equals(value)) {
                return i;
            }
        }
        throw new IllegalArgumentException("no " + option + " " + value + " in " + args);
    }

    private static void etc(List<String> args, boolean hostNetwork) {
        List<String> names = new ArrayList<>(ETC);
        if (hostNetwork) {
            names.addAll(ETC_NETWORK);
        }
        try (DirectoryStream<Path> pythons = Files.newDirectoryStream(Path.of("/etc"), "python3*")) {
            pythons.forEach(p -> names.add(p.getFileName().toString()));
        } catch (IOException e) {
            // no /etc/python3*: nothing to add
        }
        for (String name : names) {
            Path p = Path.of("/etc", name);
            if (Files.exists(p)) {
                args.addAll(List.of("--ro-bind", p.toString(), p.toString()));
            }
        }
    }

    /**
     * The {@code /bin/sh -c} script that starts a sandbox: it writes its pid into each cgroup file
     * given as an argument before {@code --} (joining the call's cgroups), sets the rlimits (soft and
     * hard), and {@code exec}s the command after {@code --}: so the limits hold from the sandbox's first
     * instruction, and no process of it ever runs outside them.
     */
    public static String wrapper(SandboxPolicy policy) {
        return wrapper(policy, true);
    }

    /**
     * The wrapper, with the CPU time limit or without it (for a zygote, which lives for many calls:
     * each of its children sets the limit for itself, see {@link #cpuSeconds}).
     */
    public static String wrapper(SandboxPolicy policy, boolean cpuTime) {
        StringBuilder s =
                new StringBuilder("while [ \"$1\" != -- ]; do echo $$ > \"$1\" || exit 126; shift; done; shift; ");
        if (cpuTime && policy.cpuTime() != null) {
            long seconds = cpuSeconds(policy);
            // The hard limit one second above the soft one: SIGXCPU (reported as such) comes first,
            // SIGKILL only if the process ignores it.
            s.append("ulimit -S -t ")
                    .append(seconds)
                    .append(" && ulimit -H -t ")
                    .append(seconds + 1)
                    .append(" || exit 126; ");
        }
        // POSIX shells count file sizes in 512-byte blocks.
        s.append("ulimit -f ").append((policy.fileSizeBytes() + 511) / 512).append(" || exit 126; ");
        s.append("ulimit -n ").append(policy.openFiles()).append(" || exit 126; ");
        return s.append("exec \"$@\"").toString();
    }

    /** The soft CPU time limit in whole seconds (the hard one is a second more), or 0 for none. */
    public static long cpuSeconds(SandboxPolicy policy) {
        return policy.cpuTime() == null ? 0 : Math.max(1, (policy.cpuTime().toMillis() + 999) / 1000);
    }

    /** Writes the sandbox's own {@code passwd} and {@code group} into {@code dir}. */
    public static void writeIdentity(Path dir, String home) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(
                dir.resolve("passwd"),
                "root:x:0:0:root:/root:/bin/sh\n"
                        + "user:x:" + UID + ":" + UID + ":exxec sandbox:" + home + ":/bin/sh\n"
                        + "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");
        Files.writeString(dir.resolve("group"), "root:x:0:\nuser:x:" + UID + ":\nnogroup:x:65534:\n");
    }
}
