package dev.exxec.local.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Memory and process limits through cgroups, for one call at a time: a call gets a cgroup of its
 * own (one per controller on cgroup v1, one on v2), its process joins it before it starts the
 * sandbox, and the cgroup is removed when the call ended.
 *
 * <p>Works where this JVM's user can create cgroups: on v1 below its own cgroup (or the hierarchy's
 * root) of the memory and pids controllers; on v2 below its own cgroup when that delegates the
 * memory and pids controllers to its children. Elsewhere {@link #detect} says why not.
 */
public final class Cgroups {
    private static volatile @Nullable Cgroups detected;
    /** Per-call cgroups are named after this JVM, so that a later JVM can tell whose they were. */
    private static final String PREFIX = "exxec-" + ProcessHandle.current().pid() + "-";

    private static final java.util.regex.Pattern OWNED = java.util.regex.Pattern.compile("exxec-(\\d+)-.+");

    /** One controller's directory under which per-call cgroups are made. */
    private record Base(String controller, Path dir) {}

    private final int version;
    private final Base memory;
    private final Base pids;
    private final String reason;

    private Cgroups(int version, @Nullable Base memory, @Nullable Base pids, String reason) {
        this.version = version;
        this.memory = memory;
        this.pids = pids;
        this.reason = reason;
    }

    /** What this machine offers, detected once per JVM. */
    public static Cgroups detect() {
        Cgroups c = detected;
        if (c == null) {
            detected = c = detect(Path.of("/proc/self/mountinfo"), Path.of("/proc/self/cgroup"));
        }
        return c;
    }

    /** Detection from the given {@code mountinfo} and {@code cgroup} files (for tests). */
    public static Cgroups detect(Path mountinfo, Path cgroupFile) {
        List<String> mounts;
        List<String> membership;
        try {
            mounts = Files.readAllLines(mountinfo);
            membership = Files.readAllLines(cgroupFile);
        } catch (IOException e) {
            return new Cgroups(0, null, null, "cgroups are not readable here (" + e.getMessage() + ")");
        }
        Map<String, String> ownPaths = new HashMap<>(); // controller (or "" for v2) -> own cgroup path
        for (String line : membership) {
            String[] parts = line.split(":", 3);
            if (parts.length < 3) {
                continue;
            }
            if (parts[1].isEmpty()) {
                ownPaths.put("", parts[2]);
            } else {
                for (String controller : parts[1].split(",")) {
                    ownPaths.put(controller, parts[2]);
                }
            }
        }
        Path v2 = null;
        Map<String, Path> v1 = new HashMap<>();
        for (String line : mounts) {
            // "id parent major:minor root mountpoint options ... - fstype source superoptions"
            int dash = line.indexOf(" - ");
            if (dash < 0) {
                continue;
            }
            String[] left = line.substring(0, dash).split(" ");
            String[] right = line.substring(dash + 3).split(" ");
            if (left.length < 5 || right.length < 3) {
                continue;
            }
            Path mountPoint = Path.of(left[4]);
            if (right[0].equals("cgroup2")) {
                v2 = mountPoint;
            } else if (right[0].equals("cgroup")) {
                for (String option : right[2].split(",")) {
                    if (option.equals("memory") || option.equals("pids")) {
                        v1.put(option, mountPoint);
                    }
                }
            }
        }
        if (v1.containsKey("memory") && v1.containsKey("pids")) {
            Base memory = v1Base("memory", v1.get("memory"), ownPaths.get("memory"));
            Base pids = v1Base("pids", v1.get("pids"), ownPaths.get("pids"));
            if (memory != null && pids != null) {
                return new Cgroups(1, memory, pids, "cgroup v1 memory and pids controllers");
            }
            return new Cgroups(
                    0, null, null, "the cgroup v1 memory and pids hierarchies are not writable for this user");
        }
        if (v2 != null && ownPaths.containsKey("")) {
            Path own = v2.resolve(relative(ownPaths.get("")));
            String why = v2Delegated(own);
            if (why == null) {
                Base base = new Base("", own);
                return new Cgroups(2, base, base, "cgroup v2 with the memory and pids controllers delegated");
            }
            return new Cgroups(0, null, null, why);
        }
        return new Cgroups(0, null, null, "no cgroup hierarchy with memory and pids controllers is mounted");
    }

    private static String relative(String cgroupPath) {
        return cgroupPath.startsWith("/") ? cgroupPath.substring(1) : cgroupPath;
    }

    /** Our own cgroup of a v1 controller if it is visible and writable, else the hierarchy's root. */
    private static @Nullable Base v1Base(String controller, Path mountPoint, @Nullable String ownPath) {
        List<Path> candidates = new ArrayList<>();
        if (ownPath != null) {
            candidates.add(mountPoint.resolve(relative(ownPath)));
        }
        candidates.add(mountPoint);
        for (Path dir : candidates) {
            if (Files.isDirectory(dir) && Files.isWritable(dir)) {
                return new Base(controller, dir);
            }
        }
        return null;
    }

    /** Null when children of {@code own} can get memory and pids limits, else why not. */
    private static @Nullable String v2Delegated(Path own) {
        try {
            if (!Files.isWritable(own)) {
                return "the cgroup v2 directory " + own + " is not writable for this user";
            }
            String control = Files.readString(own.resolve("cgroup.subtree_control"));
            if (control.contains("memory") && control.contains("pids")) {
                return null;
            }
            try {
                Files.writeString(own.resolve("cgroup.subtree_control"), "+memory +pids");
                return null;
            } catch (IOException e) {
                // EBUSY: this cgroup holds processes (the JVM itself), so it cannot delegate.
                return "cgroup v2: the memory and pids controllers are not delegated to " + own
                        + " (it holds processes; run the JVM in a cgroup whose children may use them)";
            }
        } catch (IOException e) {
            return "cgroup v2: " + own + " is not usable (" + e.getMessage() + ")";
        }
    }

    /**
     * Removes the per-call cgroups that JVMs which no longer run left behind (empty ones only: a
     * cgroup with processes cannot be removed). Returns how many.
     */
    public int sweep() {
        if (!available()) {
            return 0;
        }
        int removed = 0;
        for (Base base : version == 2 ? List.of(memory) : List.of(memory, pids)) {
            try (var entries = Files.newDirectoryStream(base.dir(), "exxec-*")) {
                for (Path entry : entries) {
                    var m = OWNED.matcher(entry.getFileName().toString());
                    if (m.matches()
                            && ProcessHandle.of(Long.parseLong(m.group(1)))
                                    .map(p -> !p.isAlive())
                                    .orElse(true)) {
                        try {
                            Files.delete(entry);
                            removed++;
                        } catch (IOException e) {
                            // still populated: leave it
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                // unreadable: nothing to sweep here
            }
        }
        return removed;
    }

    /** Whether per-call memory and process limits can be enforced. */
    public boolean available() {
        return version != 0;
    }

    /** What was found, or why limits cannot be enforced. */
    public String description() {
        return reason;
    }

    /**
     * Creates the cgroups of one call with its limits.
     *
     * @param name a unique name, safe as a directory name
     * @throws IOException when they cannot be created (nothing is left behind then)
     */
    public Lease create(String name, long memoryBytes, int processes) throws IOException {
        if (!available()) {
            throw new IOException("cgroups are not available: " + reason);
        }
        List<Path> dirs = new ArrayList<>();
        Lease lease = new Lease(version, dirs);
        try {
            if (version == 2) {
                Path dir = Files.createDirectory(memory.dir().resolve(PREFIX + name));
                dirs.add(dir);
                write(dir.resolve("memory.max"), Long.toString(memoryBytes));
                writeIfPresent(dir.resolve("memory.swap.max"), "0");
                write(dir.resolve("pids.max"), Integer.toString(processes));
            } else {
                Path mem = Files.createDirectory(memory.dir().resolve(PREFIX + name));
                dirs.add(mem);
                write(mem.resolve("memory.limit_in_bytes"), Long.toString(memoryBytes));
                // No swapping around the limit where swap is accounted.
                writeIfPresent(mem.resolve("memory.memsw.limit_in_bytes"), Long.toString(memoryBytes));
                Path pid = Files.createDirectory(pids.dir().resolve(PREFIX + name));
                dirs.add(pid);
                write(pid.resolve("pids.max"), Integer.toString(processes));
            }
            return lease;
        } catch (IOException e) {
            lease.close();
            throw e;
        }
    }

    private static void write(Path file, String value) throws IOException {
        Files.writeString(file, value);
    }

    private static void writeIfPresent(Path file, String value) {
        try {
            if (Files.exists(file)) {
                Files.writeString(file, value);
            }
        } catch (IOException e) {
            // swap accounting is off: the memory limit alone holds
        }
    }

    /** The cgroups of one call. Close it once the call's processes are gone. */
    public static final class Lease implements AutoCloseable {
        private final int version;
        private final List<Path> dirs;

        private Lease(int version, List<Path> dirs) {
            this.version = version;
            this.dirs = dirs;
        }

        /** The {@code cgroup.procs} files a process writes its pid to, to join. */
        public List<Path> procsFiles() {
            return dirs.stream().map(d -> d.resolve("cgroup.procs")).toList();
        }

        /** Moves the process {@code pid} (and its threads) into these cgroups. */
        public void join(long pid) throws IOException {
            for (Path procs : procsFiles()) {
                Files.writeString(procs, Long.toString(pid));
            }
        }

        /** Kills every process in these cgroups, until none is left (or a second has passed). */
        public void killAll() {
            long deadline = System.nanoTime() + 1_000_000_000L;
            for (Path procs : procsFiles()) {
                while (System.nanoTime() < deadline) {
                    List<String> pids;
                    try {
                        pids = Files.readAllLines(procs, StandardCharsets.US_ASCII);
                    } catch (IOException e) {
                        break; // removed: nothing left
                    }
                    if (pids.isEmpty()) {
                        break;
                    }
                    for (String pid : pids) {
                        try {
                            ProcessHandle.of(Long.parseLong(pid.trim())).ifPresent(ProcessHandle::destroyForcibly);
                        } catch (NumberFormatException e) {
                            // not a pid
                        }
                    }
                    try {
                        Thread.sleep(2);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }

        /** Whether the kernel killed a process of this call for exceeding the memory limit. */
        public boolean oomKilled() {
            Path memoryDir = dirs.isEmpty() ? null : dirs.get(0);
            if (memoryDir == null) {
                return false;
            }
            Path file = memoryDir.resolve(version == 2 ? "memory.events" : "memory.oom_control");
            return counter(file, "oom_kill").orElse(0L) > 0;
        }

        /** Whether a fork or clone failed because the process limit was reached. */
        public boolean processLimitHit() {
            Path pidsDir = dirs.isEmpty() ? null : dirs.get(dirs.size() - 1);
            if (pidsDir == null) {
                return false;
            }
            return counter(pidsDir.resolve("pids.events"), "max").orElse(0L) > 0;
        }

        private static Optional<Long> counter(Path file, String key) {
            try {
                for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
                    String[] kv = line.trim().split("\\s+");
                    if (kv.length == 2 && kv[0].equals(key)) {
                        return Optional.of(Long.parseLong(kv[1]));
                    }
                }
            } catch (IOException | NumberFormatException e) {
                // not there on this kernel: no evidence either way
            }
            return Optional.empty();
        }

        /**
         * Removes the cgroups, retrying briefly while the last processes are still being torn down;
         * on a background thread when they are not empty yet, so a result never waits for that.
         */
        @Override
        public void close() {
            if (!removeAll()) {
                // What is still in them is killed first: a process that escaped its parent's kill (a
                // sandbox whose monitor was killed while it started, before its pid-1 armed the
                // parent-death signal) must not outlive the call. A call that forked a thousand
                // processes takes a while to be torn down: retry for a minute, backing off, killing
                // again each time; what is still left then, the next JVM's sweep removes.
                Thread.ofVirtual().name("exxec-cgroup-cleanup").start(() -> {
                    long delay = 10;
                    for (long waited = 0;
                            waited < 60_000 && !killThenRemove();
                            waited += delay, delay = Math.min(delay * 2, 2_000)) {
                        try {
                            Thread.sleep(delay);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                });
            }
        }

        private boolean killThenRemove() {
            killAll();
            return removeAll();
        }

        private synchronized boolean removeAll() {
            boolean all = true;
            for (Path dir : dirs) {
                try {
                    Files.deleteIfExists(dir); // rmdir: cgroup directories hold only control files
                } catch (IOException e) {
                    all = false; // EBUSY: a process is still in it
                }
            }
            return all;
        }
    }
}
