package dev.exxec.local.internal;

import dev.exxec.internal.PlatformThreads;
import dev.exxec.local.SandboxPolicy;
import dev.exxec.spi.ProcMasks;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
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
        // As the sandboxes will run: as this JVM's user, or dropped to their own uid when it is root.
        SandboxUser user = SandboxUser.of(SandboxUser.DEFAULT_UID);
        if (user.problem() != null) {
            return new Probe(bwrap, "", user.problem(), "install util-linux, or run exxec as an ordinary user");
        }
        List<String> command = new ArrayList<>(user.prefix());
        command.add(bwrap.toString());
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
                    ? "user namespaces are not available to "
                            + (user.drops()
                                    ? "unprivileged users (exxec runs as root,"
                                            + " so the sandbox runs code as the unprivileged " + user.describe() + ")"
                                    : "this user")
                            + ": enable them (sysctl kernel.unprivileged_userns_clone=1,"
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
        // The pipe is read on a platform thread, so that the caller (a virtual thread, maybe) only waits
        // and the deadline below bounds a probe that hangs.
        java.util.concurrent.CompletableFuture<byte[]> output = new java.util.concurrent.CompletableFuture<>();
        PlatformThreads.start("exxec-bwrap-probe", () -> {
            try (var in = p.getInputStream()) {
                output.complete(in.readNBytes(4096));
                in.transferTo(java.io.OutputStream.nullOutputStream());
            } catch (IOException e) {
                output.complete(new byte[0]);
            }
        });
        try {
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "timed out");
            }
            byte[] out;
            try {
                out = output.get(5, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                out = new byte[0]; // a child of the probe still holds the pipe: its output is not needed
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
     * @param policy network, binds and sizes (limits are applied outside bwrap)
     * @param workspace the host directory the code sees as {@code visibleWorkspace}
     * @param visibleWorkspace where the code sees it
     * @param drivers the host directory of the drivers
     * @param visibleDrivers where the code sees them
     * @param etc a host directory holding the sandbox's own {@code passwd} and {@code group}
     * @param installations interpreter installations to show read-only at their own paths
     * @param cwd the working directory, as the code sees it
     * @param terminal whether it runs on a terminal (then it keeps its session, for job control)
     * @param env exactly the variables the sandboxed process gets
     * @param source where bubblewrap finds a host path it binds: the path itself, or where it was
     *     made reachable for a sandbox that runs as another user (see {@link SandboxUser})
     * @param seccomp the descriptor of the compiled system call filter, or -1 for none
     * @param zygote set for a zygote's sandbox, else null
     */
    public record Spec(
            SandboxPolicy policy,
            Path workspace,
            String visibleWorkspace,
            Path drivers,
            String visibleDrivers,
            Path etc,
            Collection<Path> installations,
            String cwd,
            boolean terminal,
            Map<String, String> env,
            Function<Path, Path> source,
            int seccomp,
            @Nullable ZygoteSpec zygote) {
        public Spec {
            installations = List.copyOf(installations);
            env = Map.copyOf(env);
        }

        /** This spec with sources found where {@code source} says. */
        public Spec withSource(Function<Path, Path> source) {
            return new Spec(
                    policy,
                    workspace,
                    visibleWorkspace,
                    drivers,
                    visibleDrivers,
                    etc,
                    installations,
                    cwd,
                    terminal,
                    env,
                    source,
                    seccomp,
                    zygote);
        }
    }

    /**
     * What a zygote's sandbox has beyond a call's: it keeps {@code CAP_SYS_ADMIN}, {@code
     * CAP_NET_ADMIN} and {@code CAP_SETPCAP} in its own user namespace (so that each child makes
     * namespaces of its own: PID, mount with a fresh {@code /proc}, {@code /dev} and {@code /tmp},
     * IPC, network; the child drops every capability and adds the strict system call filter before it
     * runs a call), sees an unmasked {@code /proc} (a fresh {@code /proc} may be mounted only where an
     * unobstructed one is visible; a call never sees it: its own, masked, is mounted over it), and
     * {@code fifos} at {@code visibleFifos}, where the zygote makes the calls' FIFOs (a call never sees
     * it either: an empty directory is mounted over it).
     */
    public record ZygoteSpec(Path fifos, String visibleFifos) {}

    /** See {@link ProcMasks#MASKED_FILES}. */
    public static final List<String> MASKED_FILES = ProcMasks.MASKED_FILES;

    /** See {@link ProcMasks#MASKED_DIRECTORIES}; a sandbox has no {@code /sys} at all. */
    public static final List<String> MASKED_DIRECTORIES = ProcMasks.MASKED_DIRECTORIES.stream()
            .filter(d -> d.startsWith("/proc/"))
            .toList();

    /**
     * See {@link ProcMasks#READ_ONLY}. bubblewrap makes some read-only itself, but only where its own
     * uid cannot write them, which misses {@code /proc/sys}: its directories are read-only, its files
     * writable by the uid that owns the sandbox.
     */
    public static final List<String> READ_ONLY = ProcMasks.READ_ONLY;

    /** The masks that exist on this machine's kernel, as bwrap options after {@code --proc /proc}. */
    static List<String> procMasks() {
        List<String> args = new ArrayList<>();
        for (String dir : READ_ONLY) {
            if (Files.isDirectory(Path.of(dir))) {
                // The host's /proc shows the same kernel; /proc/sys/net answers for the reader's network.
                args.addAll(List.of("--ro-bind", dir, dir));
            }
        }
        for (String file : MASKED_FILES) {
            if (Files.exists(Path.of(file), LinkOption.NOFOLLOW_LINKS)) {
                args.addAll(List.of("--ro-bind", "/dev/null", file));
            }
        }
        for (String dir : MASKED_DIRECTORIES) {
            if (Files.isDirectory(Path.of(dir))) {
                args.addAll(List.of("--perms", "0555", "--size", "4096", "--tmpfs", dir, "--remount-ro", dir));
            }
        }
        return args;
    }

    /**
     * bwrap's options for one sandbox, which go into its arguments file (read with {@code --args}):
     * everything but the executable and the command, which follow {@code --} on the command line.
     */
    public static List<String> arguments(Spec spec) {
        List<String> args = new ArrayList<>();
        args.addAll(
                List.of("--unshare-user", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"));
        boolean hostNetwork = spec.policy().network() == SandboxPolicy.Network.HOST;
        if (!hostNetwork) {
            args.add("--unshare-net");
        }
        args.addAll(List.of("--uid", Integer.toString(UID), "--gid", Integer.toString(UID), "--hostname", "exxec"));
        args.addAll(List.of("--die-with-parent", "--disable-userns", "--cap-drop", "ALL"));
        if (spec.zygote() != null) {
            args.addAll(
                    List.of("--cap-add", "CAP_SYS_ADMIN", "--cap-add", "CAP_NET_ADMIN", "--cap-add", "CAP_SETPCAP"));
        }
        if (!spec.terminal()) {
            args.add("--new-session"); // no controlling terminal to push input into (TIOCSTI)
        }
        if (spec.seccomp() >= 0) {
            args.addAll(List.of("--seccomp", Integer.toString(spec.seccomp())));
        }
        args.addAll(systemMounts());
        etc(args, hostNetwork);
        args.addAll(List.of("--ro-bind", source(spec, spec.etc().resolve("passwd")), "/etc/passwd"));
        args.addAll(List.of("--ro-bind", source(spec, spec.etc().resolve("group")), "/etc/group"));
        if (spec.zygote() == null) {
            args.addAll(List.of("--proc", "/proc"));
            args.addAll(procMasks());
        } else {
            args.addAll(List.of("--bind", "/proc", "/proc"));
        }
        // A /dev of the sandbox's own: its /dev/shm sized like /tmp (its pages count against the
        // memory limit as the code's own), read-only but for /dev/shm and /dev/pts.
        args.addAll(List.of("--dev", "/dev"));
        args.addAll(List.of("--size", Long.toString(spec.policy().tmpSizeBytes()), "--tmpfs", "/dev/shm"));
        args.addAll(List.of("--remount-ro", "/dev"));
        args.addAll(List.of("--size", Long.toString(spec.policy().tmpSizeBytes()), "--tmpfs", "/tmp"));
        args.addAll(List.of("--bind", source(spec, spec.workspace()), spec.visibleWorkspace()));
        args.addAll(List.of("--ro-bind", source(spec, spec.drivers()), spec.visibleDrivers()));
        for (Path p : spec.installations()) {
            if (!underSystem(p) && Files.exists(p)) {
                args.addAll(List.of("--ro-bind", source(spec, p), p.toString()));
            }
        }
        for (Path p : spec.policy().readOnlyBinds()) {
            args.addAll(List.of("--ro-bind", source(spec, p), p.toString()));
        }
        for (Path p : spec.policy().writableBinds()) {
            args.addAll(List.of("--bind", source(spec, p), p.toString()));
        }
        if (spec.zygote() != null) {
            args.addAll(List.of(
                    "--bind", source(spec, spec.zygote().fifos()), spec.zygote().visibleFifos()));
        }
        args.addAll(List.of("--remount-ro", "/", "--chdir", spec.cwd()));
        // The variables reach the sandboxed process only: bwrap clears its own and sets these.
        args.add("--clearenv");
        spec.env().forEach((name, value) -> args.addAll(List.of("--setenv", name, value)));
        return args;
    }

    private static String source(Spec spec, Path hostPath) {
        return spec.source().apply(hostPath).toString();
    }

    /** The host paths a sandbox of {@code spec} binds besides the system's, to check who can reach them. */
    public static List<Path> sources(Spec spec) {
        List<Path> sources = new ArrayList<>();
        sources.add(spec.etc().resolve("passwd"));
        sources.add(spec.etc().resolve("group"));
        sources.add(spec.workspace());
        sources.add(spec.drivers());
        for (Path p : spec.installations()) {
            if (!underSystem(p) && Files.exists(p)) {
                sources.add(p);
            }
        }
        sources.addAll(spec.policy().readOnlyBinds());
        sources.addAll(spec.policy().writableBinds());
        if (spec.zygote() != null) {
            sources.add(spec.zygote().fifos());
        }
        return sources;
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
     * The {@code /bin/sh -c} script that starts a sandbox, as the host's side of it: it writes its pid
     * into each cgroup file given as an argument before {@code --} (joining the call's cgroups), opens
     * the two files after {@code --} as descriptors 3 (bwrap's arguments) and 4 (the compiled system
     * call filter), sets the rlimits (soft and hard), and {@code exec}s the rest: so the limits hold
     * from the sandbox's first instruction, and no process of it ever runs outside them.
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
        s.append("exec 3<\"$1\" 4<\"$2\" || exit 126; shift 2; ");
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

    /**
     * The host command line of one sandbox: the {@link #wrapper} shell with the call's cgroup files,
     * the arguments file and the compiled filter; then {@code enter} (a command line that enters a
     * mount namespace, or nothing), {@code drop} (what drops to the sandbox's uid, or nothing), and
     * bubblewrap reading its options from descriptor 3, then {@code command}.
     */
    public static List<String> hostCommand(
            Path bwrap,
            String wrapper,
            List<Path> cgroupFiles,
            Path arguments,
            Path filter,
            List<String> enter,
            List<String> drop,
            List<String> command) {
        List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", wrapper, "sh"));
        cgroupFiles.forEach(f -> argv.add(f.toString()));
        argv.add("--");
        argv.add(arguments.toString());
        argv.add(filter.toString());
        argv.addAll(enter);
        argv.addAll(drop);
        argv.addAll(List.of(bwrap.toString(), "--args", "3", "--"));
        argv.addAll(command);
        return argv;
    }

    /** Writes bwrap's options NUL-separated to the new file {@code file}, readable only by this JVM's user. */
    public static Path writeArguments(Path file, List<String> args) throws IOException {
        try (java.io.OutputStream out = Files.newOutputStream(Files.createFile(
                file,
                java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"))))) {
            for (String arg : args) {
                if (arg.indexOf('\0') >= 0) {
                    throw new IllegalArgumentException("a sandbox argument holds a NUL character: " + arg);
                }
                out.write(arg.getBytes(StandardCharsets.UTF_8));
                out.write(0);
            }
        }
        return file;
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
