package dev.exxec.local.internal;

import dev.exxec.spi.ProcessTree;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * This JVM's record of the processes that lead its calls on this machine, so that none outlives the
 * JVM even when it is killed with SIGKILL and runs no shutdown hook.
 *
 * <p>Each leader (an interpreter, a command's shell, a background process, a terminal, a zygote and
 * each of its children) is recorded with its start time (field 22 of {@code /proc/PID/stat}, in
 * clock ticks since boot) in the file {@code calls} of a directory of this JVM's own, made like a
 * workspace's ({@link LeftoverSweep#create}: its owner file names the JVM by pid and start time).
 * Two things read it when the JVM is gone:
 *
 * <ul>
 *   <li>the <em>keeper</em>, a small shell process this JVM starts with the first call, in a session
 *       of its own, whose input is a pipe only this JVM holds. When the JVM ends, however it ends,
 *       the kernel closes the pipe; the keeper then runs {@link #main} (on this JVM's own {@code
 *       java}), which ends the recorded calls at once, while their leaders still run. (A
 *       parent-death signal would kill a leader alone, orphaning what it started, and it fires when
 *       the forking thread ends, not the JVM.) When the JVM said last that nothing ran, the keeper
 *       only removes the record;
 *   <li>the sweep at the next start of {@code local} ({@link LeftoverSweep}), for a keeper that could
 *       not run: killed too, or no {@code java} to run (a native image).
 * </ul>
 *
 * <p>What "a call" is, for both: the recorded leader if it still runs with the recorded start time,
 * every process of its session (the kernel does not hand out a session's id again while any of its
 * members lives) started no earlier than it, and all their descendants. A leader that is a child
 * subreaper (the Python driver and the zygote's children make themselves one) adopts what left its
 * session and was orphaned (a double-forked daemon): such a process is its descendant, and goes too.
 * A record of another boot kills nothing; a pid that names another process now is not touched.
 */
public final class CallLedger {
    /** The record file in the JVM's directory. */
    static final String FILE = "calls";

    private static final String HEADER = "exxec-calls/1";
    private static final Path PROC = Path.of("/proc");
    private static final boolean HAS_PROC = Files.isDirectory(PROC.resolve("self"));
    /** Off with -Dexxec.keeper=false: then only the next start's sweep ends a dead JVM's calls. */
    private static final boolean KEEPER = !"false".equals(System.getProperty("exxec.keeper"));

    private static final Object LOCK = new Object();
    /** The live leaders: pid to start time. */
    private static final Map<Long, Long> LIVE = new LinkedHashMap<>();

    private static @Nullable Path dir;
    private static boolean failed;
    private static @Nullable Process keeper;
    private static @Nullable OutputStream keeperInput;
    private static volatile boolean keeperFailed;
    private static @Nullable String lastState;

    private CallLedger() {}

    /** Records a call's leader that just started (nothing where there is no {@code /proc}). */
    public static void track(long pid) {
        if (!HAS_PROC) {
            return;
        }
        ProcessTree.Stat stat = ProcessTree.Stat.of(pid);
        if (stat == null) {
            return; // ended already: release() sweeps its session
        }
        synchronized (LOCK) {
            if (LIVE.isEmpty() && dir == null) {
                try {
                    Runtime.getRuntime().addShutdownHook(new Thread(CallLedger::prune, "exxec-ledger-prune"));
                } catch (IllegalStateException shuttingDown) {
                    // A call that started as the JVM began to shut down (SIGTERM right after its start):
                    // it is still recorded below, so the keeper ends it if the environment's close cannot.
                    // Throwing here would lose the process to the call that started it.
                }
            }
            LIVE.put(pid, stat.startTime());
            write();
        }
    }

    /**
     * At the JVM's orderly end: forgets the calls that are over (their forgetting may still be on its
     * way), so that a JVM whose calls all ended tells its keeper that it has nothing to sweep.
     */
    private static void prune() {
        synchronized (LOCK) {
            boolean changed = LIVE.entrySet().removeIf(e -> {
                ProcessTree.Stat now = ProcessTree.Stat.of(e.getKey());
                return (now == null || now.startTime() != e.getValue()) && sessionEmpty(e.getKey());
            });
            if (changed) {
                write();
            }
        }
        try {
            KEEPER_THREAD.submit(() -> {}).get(1, java.util.concurrent.TimeUnit.SECONDS); // "idle" was written
        } catch (Exception e) {
            // then the keeper sweeps, and finds nothing to kill
        }
    }

    /**
     * The leader {@code pid} ended: it is forgotten once its session is empty (after an ordinary end
     * the session's leftovers are killed right away), or after half a minute.
     */
    public static void ended(long pid) {
        synchronized (LOCK) {
            if (!LIVE.containsKey(pid)) {
                return;
            }
            if (sessionEmpty(pid)) {
                LIVE.remove(pid);
                write();
                return;
            }
        }
        Thread.ofVirtual().name("exxec-ledger-" + pid).start(() -> {
            long deadline = System.nanoTime() + 30_000_000_000L;
            long pause = 1;
            while (System.nanoTime() < deadline && !sessionEmpty(pid)) {
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException e) {
                    break;
                }
                pause = Math.min(100, pause * 2);
            }
            synchronized (LOCK) {
                if (LIVE.remove(pid) != null) {
                    write();
                }
            }
        });
    }

    private static boolean sessionEmpty(long sid) {
        return dev.exxec.spi.ProcessTree.sessionMembers(sid).isEmpty();
    }

    /** Writes the record (atomically: a sweep never reads half of it) and tells the keeper. */
    private static void write() {
        if (failed) {
            return;
        }
        try {
            Path d = dir;
            if (d == null) {
                dir = d = LeftoverSweep.create();
            }
            StringBuilder text =
                    new StringBuilder(HEADER).append(' ').append(bootId()).append('\n');
            LIVE.forEach(
                    (pid, start) -> text.append(pid).append(' ').append(start).append('\n'));
            Path tmp = d.resolve(FILE + ".tmp");
            Files.writeString(tmp, text);
            Files.move(tmp, d.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            failed = true; // no record here (a full or read-only temporary directory): nothing to sweep
            return;
        }
        String state = LIVE.isEmpty() ? "idle" : "busy";
        if (KEEPER && !keeperFailed && !state.equals(lastState)) {
            lastState = state;
            KEEPER_THREAD.execute(() -> tellKeeper(state));
        }
    }

    /**
     * Starts the keeper and writes to it, in order, off the calls' way: a process start costs a call
     * nothing (a JVM killed in the moment before the keeper runs leaves its calls to the next start).
     */
    private static final java.util.concurrent.ExecutorService KEEPER_THREAD =
            java.util.concurrent.Executors.newSingleThreadExecutor(
                    r -> Thread.ofPlatform().daemon().name("exxec-keeper").unstarted(r));

    private static void tellKeeper(String state) {
        if (keeperFailed) {
            return;
        }
        try {
            if (keeperInput == null || keeper == null || !keeper.isAlive()) {
                startKeeper();
            }
            OutputStream in = keeperInput;
            if (in != null) {
                in.write((state + "\n").getBytes(StandardCharsets.US_ASCII));
                in.flush();
            }
        } catch (IOException | RuntimeException e) {
            keeperInput = null; // started again with the next state
        }
    }

    /**
     * Starts the keeper: {@code sh} waiting for the end of its input, in a session of its own (a
     * Ctrl-C at the terminal does not reach it), its output discarded (it holds no pipe of the
     * JVM's open after the JVM).
     */
    private static void startKeeper() throws IOException {
        String javaCommand = ProcessHandle.current().info().command().orElse("");
        List<String> classpath = new ArrayList<>();
        for (Class<?> c : new Class<?>[] {CallLedger.class, dev.exxec.internal.TreeRemoval.class}) {
            var source = c.getProtectionDomain().getCodeSource();
            if (source == null || !"file".equals(source.getLocation().getProtocol())) {
                keeperFailed = true;
                return;
            }
            try {
                String entry = Path.of(source.getLocation().toURI()).toString();
                if (!classpath.contains(entry)) {
                    classpath.add(entry);
                }
            } catch (java.net.URISyntaxException e) {
                keeperFailed = true;
                return;
            }
        }
        long pid = ProcessHandle.current().pid();
        ProcessTree.Stat own = ProcessTree.Stat.of(pid);
        long[] self = own == null ? null : new long[] {pid, own.startTime()};
        if (self == null
                || !javaCommand.endsWith("/java")
                || !Files.isExecutable(Path.of(javaCommand))
                || dir == null) {
            keeperFailed = true; // a native image: the next start's sweep ends what it left
            return;
        }
        String script = "while read -r s; do last=$s; done\n"
                + "if [ \"$last\" = idle ]; then rm -rf -- \"$1\"; exit 0; fi\n"
                + "exec \"$3\" -Xshare:auto -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx64m"
                + " -Djava.io.tmpdir=\"$2\" -Dexxec.keeper=false -cp \"$4\" " + CallLedger.class.getName()
                + " \"$2\" \"$1\" \"$5\" \"$6\"\n";
        List<String> command = new ArrayList<>();
        dev.exxec.spi.ProcessTree.setsid().ifPresent(s -> command.add(s.toString()));
        command.addAll(List.of(
                "/bin/sh",
                "-c",
                script,
                "exxec-keeper",
                dir.toString(),
                System.getProperty("java.io.tmpdir"),
                javaCommand,
                String.join(java.io.File.pathSeparator, classpath),
                Long.toString(self[0]),
                Long.toString(self[1])));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .directory(Path.of("/").toFile());
        Process p = builder.start();
        keeper = p;
        keeperInput = p.getOutputStream();
    }

    /**
     * The keeper's sweep, run when its JVM's pipe closed: once that JVM ({@code args[2]}, started at
     * {@code args[3]}) is gone, ends the calls recorded in its directory {@code args[1]} and removes
     * it, then sweeps the temporary directory {@code args[0]} (its workspaces, and those of any
     * other JVM that is gone).
     */
    public static void main(String[] args) throws InterruptedException {
        Path tmp = Path.of(args[0]);
        Path jvmDir = Path.of(args[1]);
        Path jvm = PROC.resolve(args[2]);
        long jvmStart = Long.parseLong(args[3]);
        // The pipe closes as the JVM's descriptors are released, a moment before it is a zombie.
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (isProcess(jvm, jvmStart)) {
            if (System.nanoTime() > deadline) {
                return; // still there: not gone, whatever closed the pipe (the next start sees)
            }
            Thread.sleep(5);
        }
        endRecorded(jvmDir);
        dev.exxec.internal.TreeRemoval.deleteTree(jvmDir);
        LeftoverSweep.sweep(tmp); // its workspaces, and any other gone JVM's
    }

    private static boolean isProcess(Path procEntry, long start) {
        ProcessTree.Stat now = ProcessTree.Stat.read(procEntry);
        return now != null && now.startTime() == start;
    }

    /** Ends the calls recorded in {@code jvmDir} (a gone JVM's directory); returns how many processes it killed. */
    static int endRecorded(Path jvmDir) {
        Path file = jvmDir.resolve(FILE);
        if (!HAS_PROC || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return 0;
        }
        Map<Long, Long> calls = new LinkedHashMap<>();
        try {
            List<String> lines = Files.readAllLines(file);
            if (lines.isEmpty() || !lines.get(0).equals(HEADER + " " + bootId())) {
                return 0; // another boot's (or another version's): its pids mean nothing now
            }
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.split(" ");
                if (f.length == 2) {
                    calls.put(Long.parseLong(f[0]), Long.parseLong(f[1]));
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return kill(calls);
    }

    /**
     * Kills the given calls (leader pid to start time) as described above, repeating until none is
     * left, so that what they fork meanwhile goes too. Returns how many processes it killed.
     */
    static int kill(Map<Long, Long> calls) {
        long self = ProcessHandle.current().pid();
        Set<Long> killed = new LinkedHashSet<>();
        for (int round = 0; round < 100; round++) {
            Map<Long, ProcessTree.Stat> procs = snapshot();
            Set<Long> targets = new LinkedHashSet<>();
            calls.forEach((leader, start) -> {
                ProcessTree.Stat now = procs.get(leader);
                if (now != null && now.startTime() != start) {
                    return; // the pid names another process: the session id is no longer the call's
                }
                if (now != null) {
                    targets.add(leader);
                }
                procs.forEach((pid, p) -> {
                    if (p.session() == leader && p.startTime() >= start) {
                        targets.add(pid);
                    }
                });
            });
            Map<Long, List<Long>> children = new HashMap<>();
            procs.forEach((pid, p) ->
                    children.computeIfAbsent(p.parent(), k -> new ArrayList<>()).add(pid));
            List<Long> walk = new ArrayList<>(targets);
            for (int i = 0; i < walk.size(); i++) {
                for (long child : children.getOrDefault(walk.get(i), List.of())) {
                    if (targets.add(child)) {
                        walk.add(child);
                    }
                }
            }
            targets.remove(self);
            if (targets.isEmpty()) {
                break;
            }
            for (long pid : targets) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
            killed.addAll(targets);
            try {
                Thread.sleep(round < 10 ? 1 : 10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return killed.size();
    }

    /** The live (not zombie) processes, by pid. */
    private static Map<Long, ProcessTree.Stat> snapshot() {
        Map<Long, ProcessTree.Stat> procs = new HashMap<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(PROC)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.isEmpty() || !Character.isDigit(name.charAt(0))) {
                    continue;
                }
                ProcessTree.Stat stat = ProcessTree.Stat.read(entry);
                if (stat != null) {
                    procs.put(Long.parseLong(name), stat);
                }
            }
        } catch (IOException | RuntimeException e) {
            // what was read so far
        }
        return procs;
    }

    private static String bootId() {
        try {
            return Files.readString(PROC.resolve("sys/kernel/random/boot_id")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
