package dev.exxec.spi;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Finds and kills everything a host process started, daemons included.
 *
 * <p>Each execution's process leads its own session (through {@code setsid}); every process it
 * starts stays in that session unless it deliberately calls {@code setsid} itself, and stays there
 * when its parent dies and it is re-parented, which is where a process tree walk loses track. On Linux
 * the session's members are found through {@code /proc}; elsewhere only the live descendants are.
 */
public final class ProcessTree {
    private static final Path PROC = Path.of("/proc");
    private static final boolean HAS_PROC = Files.isDirectory(PROC.resolve("self"));
    private static final @Nullable Path SETSID = findSetsid();

    private ProcessTree() {}

    /** The {@code setsid} program, where the machine has one and sessions can be tracked. */
    public static Optional<Path> setsid() {
        return Optional.ofNullable(SETSID);
    }

    /** Whether session members can be found ({@code /proc} is there). */
    public static boolean tracksSessions() {
        return HAS_PROC;
    }

    /** The pid the kernel handed out last (the last field of /proc/loadavg), or 0 if unknown. */
    private static long lastPid() {
        try {
            String text = Files.readString(PROC.resolve("loadavg")).trim();
            return Long.parseLong(text.substring(text.lastIndexOf(' ') + 1));
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static @Nullable Path findSetsid() {
        if (!HAS_PROC) {
            return null;
        }
        for (String dir : new String[] {"/usr/bin", "/bin", "/usr/sbin", "/sbin"}) {
            Path p = Path.of(dir, "setsid");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /**
     * Kills the session led by {@code sessionId} (its leader's pid) and {@code root}'s descendants,
     * repeating until none is left, so that processes forking while being killed are caught too.
     * Returns once {@code root} has exited or a few seconds passed.
     */
    public static void kill(long sessionId, @Nullable ProcessHandle root) {
        for (int round = 0; round < 200; round++) {
            Set<ProcessHandle> targets = new LinkedHashSet<>();
            if (root != null && root.isAlive()) {
                targets.add(root);
                root.descendants().forEach(targets::add);
            }
            if (sessionId > 0 && !leaderReused(sessionId, root)) {
                for (long pid : sessionMembers(sessionId)) {
                    ProcessHandle.of(pid).ifPresent(targets::add);
                }
            }
            if (targets.isEmpty()) {
                break;
            }
            targets.forEach(ProcessHandle::destroyForcibly);
            if (round > 0) {
                sleep(round < 10 ? 1 : 10);
            }
        }
        if (root != null) {
            try {
                root.onExit().get(3, TimeUnit.SECONDS);
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /**
     * Whether the session's id now names another process: the leader exited (it was reaped), and its
     * pid went to a new process that may lead a new session of that id, whose members are not ours.
     */
    private static boolean leaderReused(long sessionId, @Nullable ProcessHandle root) {
        if (root != null && root.pid() == sessionId && root.isAlive()) {
            return false;
        }
        Optional<ProcessHandle> holder = ProcessHandle.of(sessionId);
        return holder.isPresent() && holder.get().isAlive() && Stat.of(sessionId) != null;
    }

    /**
     * The live (not zombie) processes of a session, on Linux; empty elsewhere.
     *
     * <p>Members were started after their leader, so they have higher pids unless pids wrapped around
     * since (then the last pid handed out is lower than the leader's); only those are read, which
     * makes the sweep after every execution cheap.
     */
    public static Set<Long> sessionMembers(long sessionId) {
        Set<Long> members = new LinkedHashSet<>();
        if (!HAS_PROC) {
            return members;
        }
        boolean mayHaveWrapped = lastPid() < sessionId;
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(PROC)) {
            for (Path entry : dir) {
                String name = entry.getFileName().toString();
                if (name.isEmpty() || !Character.isDigit(name.charAt(0))) {
                    continue;
                }
                if (!mayHaveWrapped && Long.parseLong(name) < sessionId) {
                    continue;
                }
                Stat stat = Stat.read(entry);
                if (stat != null && stat.session() == sessionId) {
                    members.add(Long.parseLong(name));
                }
            }
        } catch (IOException e) {
            // /proc unreadable: fall back to what descendants() finds
        }
        return members;
    }

    /**
     * The fields of {@code /proc/PID/stat} that exxec reads about a live process.
     *
     * @param parent the parent's pid
     * @param group the process group
     * @param session the session
     * @param startTime when it started, in clock ticks since boot: with the pid, it names one process
     *     for good, where a pid alone may have gone to another since
     */
    public record Stat(long parent, long group, long session, long startTime) {
        /** The process {@code pid}, or null when it is gone, a zombie, or there is no {@code /proc}. */
        public static @Nullable Stat of(long pid) {
            return read(PROC.resolve(Long.toString(pid)));
        }

        /** The process of a {@code /proc/PID} entry, or null when it is gone or a zombie. */
        public static @Nullable Stat read(Path procEntry) {
            String text;
            try {
                text = new String(Files.readAllBytes(procEntry.resolve("stat")), StandardCharsets.US_ASCII);
            } catch (IOException e) {
                return null; // exited meanwhile
            }
            return parse(text);
        }

        /**
         * Parses a {@code stat} line, "pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt
         * majflt cmajflt utime stime cutime cstime priority nice threads itrealvalue starttime ...",
         * whose comm may hold anything, spaces and parentheses included; null for a zombie (or a dying
         * process) and for a line that is not one.
         */
        public static @Nullable Stat parse(String text) {
            int close = text.lastIndexOf(')');
            if (close < 0 || close + 2 >= text.length()) {
                return null;
            }
            String[] f = text.substring(close + 2).split(" ", 21);
            if (f.length < 21 || f[0].equals("Z") || f[0].equals("X")) {
                return null;
            }
            try {
                return new Stat(
                        Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]), Long.parseLong(f[19]));
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
