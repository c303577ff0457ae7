package dev.exxec.local;

import dev.exxec.local.internal.CallLedger;
import dev.exxec.local.internal.Cgroups;
import dev.exxec.spi.DriverProtocol;
import dev.exxec.spi.ExecProcess;
import dev.exxec.spi.HostProcess;
import dev.exxec.spi.Pipe;
import dev.exxec.spi.ProcessTree;
import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * A started Python interpreter ({@code python_zygote.py}) that forks a fresh child per one-shot
 * execution: the call pays for a fork, not for an interpreter start. Each child leads its own
 * session, gets exactly the call's variables and directory, and writes its output to two FIFOs this
 * side reads; it is killed like any process at the deadline. Children never share state: each is a
 * copy of the zygote before any program ran.
 *
 * <p>One per environment, started by its first Python call; calls run in fresh interpreters until it
 * is ready, and whenever it cannot serve them (see {@link #serves}) or has died (the caller sees no
 * difference but the time). The child that takes a call was forked ahead of it; the zygote holds the
 * call's FIFOs open until this side has opened them, so output is never lost to a late reader.
 *
 * <p>Sandboxed ({@link #startSandboxed}), the zygote runs in a bubblewrap sandbox and announces each
 * spare; this side finds the spare's host pid, moves it into new cgroups with the call's limits, and
 * only then lets it make the namespaces its call runs in (see {@code python_zygote.py}). Its child
 * is reported and killed by host pid, with everything in its cgroups; the cgroups are removed when
 * the call concluded.
 */
final class Zygote implements AutoCloseable {
    private static final Duration START = Duration.ofSeconds(10);
    private static final int PIPE_BYTES = 64 * 1024;
    /** Open and read the children's FIFOs; idle threads are kept a while, for the next calls. */
    private static final java.util.concurrent.ExecutorService READERS =
            java.util.concurrent.Executors.newCachedThreadPool(r ->
                    Thread.ofPlatform().daemon().name("exxec-zygote-reader").unstarted(r));

    private final HostProcess process;
    private final Path fifos;
    /** Where the zygote sees {@link #fifos}. */
    private final String visibleFifos;
    /** Makes a sandboxed child's cgroups; null for an unconfined zygote. */
    private final @Nullable Leases leases;
    /** The zygote's own cgroups (sandboxed), closed with it. */
    private final Cgroups.@Nullable Lease own;
    /** Sandboxed: the spares moved into their cgroups, by their pid in the sandbox. */
    private final Map<Long, Armed> spares = new ConcurrentHashMap<>();
    /** Sandboxed: the cgroups of the children that started, by call id, until a Child takes them. */
    private final Map<String, Armed> armed = new ConcurrentHashMap<>();

    private final OutputStream control;
    private final Map<String, CompletableFuture<Long>> started = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Integer>> exited = new ConcurrentHashMap<>();
    /** The children that started and have not ended, by call id. */
    private final Map<String, Long> pids = new ConcurrentHashMap<>();

    private final AtomicBoolean alive = new AtomicBoolean(true);
    private final java.util.concurrent.atomic.AtomicLong served = new java.util.concurrent.atomic.AtomicLong();
    /** Completed when the zygote can take calls: it started and loaded the driver. */
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    /** Completed when the zygote's output ends: it died or was closed. */
    private final CompletableFuture<Void> died = new CompletableFuture<>();
    /** The variables the zygote's interpreter read at its start (see {@link #serves}). */
    private final Map<String, String> startup;

    /** Call ids, unique in this JVM: a FIFO left by a dead zygote never collides with a new one's. */
    private static final java.util.concurrent.atomic.AtomicLong CALLS = new java.util.concurrent.atomic.AtomicLong();

    /** Makes the cgroups of one sandboxed child. */
    interface Leases {
        Cgroups.Lease create() throws IOException;
    }

    /** A sandboxed spare (or the child it became) in its cgroups: its pid on the host, and them. */
    private record Armed(long hostPid, Cgroups.Lease lease) {}

    private Zygote(
            HostProcess process,
            Path fifos,
            String visibleFifos,
            Map<String, String> env,
            @Nullable Leases leases,
            Cgroups.@Nullable Lease own) {
        this.process = process;
        this.startup = startupVariables(env);
        this.fifos = fifos;
        this.visibleFifos = visibleFifos;
        this.leases = leases;
        this.own = own;
        this.control = process.stdin();
        Thread.ofPlatform().daemon().name("exxec-zygote").start(this::listen);
        Thread.ofPlatform().daemon().name("exxec-zygote-stderr").start(() -> {
            try (InputStream err = process.stderr()) {
                err.transferTo(OutputStream.nullOutputStream()); // its own failures: it dies, calls fall back
            } catch (IOException e) {
                // gone
            }
        });
    }

    /**
     * Starts a zygote of {@code python} running {@code zygoteScript} with {@code driver}.
     *
     * @param fifos a private directory for the calls' FIFOs
     */
    static Zygote start(Path python, Path zygoteScript, Path driver, Path fifos, Map<String, String> env, Path cwd)
            throws IOException {
        Files.createDirectories(fifos);
        ProcessBuilder builder = new ProcessBuilder(
                        python.toString(), DriverProtocol.PYTHON_ISOLATED, zygoteScript.toString(), driver.toString())
                .directory(cwd.toFile());
        builder.environment().clear();
        builder.environment().putAll(env);
        return new Zygote(
                tracked(HostProcess.start(builder, HostProcess.SessionMode.SETSID)),
                fifos,
                fifos.toString(),
                env,
                null,
                null);
    }

    /**
     * Starts a zygote in a sandbox ({@code python_zygote.py --sandbox}): {@code launch} starts it (its
     * lease is the zygote's own cgroups), {@code fifos} is where it sees the host directory {@code
     * fifos}, and {@code leases} makes each child's cgroups, which the child joins before it makes the
     * namespaces of its call.
     */
    static Zygote startSandboxed(
            Confinement.Launch launch, Map<String, String> env, Path fifos, String visibleFifos, Leases leases)
            throws IOException {
        try {
            ProcessBuilder builder = new ProcessBuilder(launch.command())
                    .directory(launch.hostCwd().toFile());
            builder.environment().clear();
            builder.environment().putAll(launch.environment());
            HostProcess process = tracked(HostProcess.start(builder, HostProcess.SessionMode.NONE));
            launch.started(process.pid());
            return new Zygote(process, fifos, visibleFifos, env, leases, launch.lease());
        } catch (IOException | RuntimeException e) {
            launch.abandon();
            throw e;
        }
    }

    /** The zygote in this JVM's ledger until it ended: it does not outlive the JVM (see {@link CallLedger}). */
    private static HostProcess tracked(HostProcess process) {
        long pid = process.pid();
        CallLedger.track(pid);
        process.onExit().thenRun(() -> CallLedger.ended(pid));
        return process;
    }

    /**
     * Moves a new spare into cgroups of its own and tells the zygote that it may make its call's
     * namespaces; a zygote whose spare cannot be armed is closed (calls then run in sandboxes of their
     * own).
     */
    private void arm(long sandboxPid) {
        try {
            long host = hostPid(sandboxPid);
            Cgroups.Lease lease = leases.create();
            try {
                lease.join(host);
            } catch (IOException | RuntimeException e) {
                lease.close();
                throw e;
            }
            spares.put(sandboxPid, new Armed(host, lease));
            synchronized (control) {
                control.write(("exxec-armed/1\t" + sandboxPid + "\n").getBytes(StandardCharsets.UTF_8));
                control.flush();
            }
        } catch (IOException | RuntimeException e) {
            close();
        }
    }

    /**
     * The host pid of the zygote's process {@code sandboxPid}: the descendant of the sandbox whose
     * {@code NSpid} is this JVM's pid and {@code sandboxPid} (one level down: not a call's process).
     */
    private long hostPid(long sandboxPid) throws IOException {
        for (ProcessHandle h : ProcessHandle.of(process.pid())
                .map(p -> p.descendants().toList())
                .orElse(java.util.List.of())) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc", Long.toString(h.pid()), "status"))) {
                    if (line.startsWith("NSpid:")) {
                        String[] f = line.substring(6).trim().split("\\s+");
                        if (f.length == 2 && Long.parseLong(f[1]) == sandboxPid) {
                            return h.pid();
                        }
                        break;
                    }
                }
            } catch (IOException | NumberFormatException e) {
                // gone meanwhile
            }
        }
        throw new IOException("no process " + sandboxPid + " in the zygote's sandbox");
    }

    /**
     * Whether a child of this zygote is what a fresh interpreter with {@code env} would be: Python
     * reads the locale's variables ({@code LANG}, {@code LC_*}: the encoding of its standard streams)
     * only when it starts, so a call that sets them differently needs a fresh interpreter. {@code
     * PYTHON*} variables do not count: every interpreter exxec starts for code is isolated ({@link
     * DriverProtocol#PYTHON_ISOLATED}) and ignores them, and the driver reads {@code PYTHONPATH}
     * from each call's own variables.
     */
    boolean serves(Map<String, String> env) {
        return startup.equals(startupVariables(env));
    }

    private static Map<String, String> startupVariables(Map<String, String> env) {
        Map<String, String> read = new java.util.TreeMap<>();
        env.forEach((name, value) -> {
            if (name.startsWith("LC_") || name.equals("LANG")) {
                read.put(name, value);
            }
        });
        return read;
    }

    /**
     * Whether it can take calls now: until it has started (about as long as an interpreter start),
     * calls do not wait for it but run in a fresh interpreter, so that an environment's first call,
     * or the only one, costs no more than without a zygote.
     */
    boolean isReady() {
        return ready.isDone() && !died.isDone();
    }

    /** Waits until it can take calls or has died, at most {@code timeout}. */
    void awaitReady(Duration timeout) {
        try {
            CompletableFuture.anyOf(ready, died).get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // not ready: the call runs in a fresh interpreter
        }
    }

    /** How many calls it forked a child for. */
    long served() {
        return served.get();
    }

    /**
     * Whether it may still take calls, as far as this side knows without asking the system (asked on
     * every Python call): a zygote that died unnoticed fails the next fork, which then marks it dead
     * and runs its call in a fresh interpreter.
     */
    boolean isAlive() {
        return alive.get() && !died.isDone();
    }

    private void listen() {
        try (BufferedReader lines =
                new BufferedReader(new InputStreamReader(process.stdout(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.equals("ready")) {
                    ready.complete(null);
                    continue;
                }
                String[] f = line.split("\t", 3);
                if (f.length == 2 && leases != null && f[0].equals("spare")) {
                    long spare = Long.parseLong(f[1]);
                    Thread.ofVirtual().name("exxec-zygote-arm").start(() -> arm(spare));
                    continue;
                }
                if (f.length == 2 && leases != null && f[0].equals("gone")) {
                    Armed a = spares.remove(Long.parseLong(f[1]));
                    if (a != null) {
                        a.lease().close();
                    }
                    continue;
                }
                if (f.length < 3) {
                    continue;
                }
                switch (f[0]) {
                    case "started" -> {
                        long pid = Long.parseLong(f[2]);
                        if (leases != null) {
                            Armed a = spares.remove(pid);
                            if (a == null) {
                                // never armed: cannot be, the zygote gives calls to armed spares only
                                CompletableFuture<Long> s = started.get(f[1]);
                                if (s != null) {
                                    s.completeExceptionally(new IOException("child " + pid + " was not armed"));
                                }
                                continue;
                            }
                            armed.put(f[1], a);
                            pid = a.hostPid();
                        }
                        pids.put(f[1], pid);
                        CallLedger.track(pid);
                        complete(started.get(f[1]), pid);
                    }
                    case "exit" -> {
                        Long pid = pids.remove(f[1]);
                        if (pid != null) {
                            CallLedger.ended(pid);
                        }
                        complete(exited.remove(f[1]), Integer.parseInt(f[2]));
                    }
                    case "failed" -> {
                        CompletableFuture<Long> s = started.get(f[1]);
                        if (s != null) {
                            s.completeExceptionally(new IOException("the zygote could not fork: " + f[2]));
                        }
                    }
                    default -> {
                        // not ours
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // it died
        } finally {
            alive.set(false);
            died.complete(null);
            spares.values().forEach(a -> {
                a.lease().killAll();
                a.lease().close();
            });
            spares.clear();
            started.values().forEach(f -> f.completeExceptionally(new IOException("the zygote died")));
            // Its children live on (they lead their own sessions) but nobody reports their ends any more:
            // each call learns of its child's end from the system, without an exit status.
            exited.forEach((id, f) -> {
                Long pid = pids.get(id);
                java.util.Optional<ProcessHandle> child =
                        pid == null ? java.util.Optional.empty() : ProcessHandle.of(pid);
                child.ifPresentOrElse(
                        h -> h.onExit().thenRun(() -> {
                            f.complete(128 + 9);
                            CallLedger.ended(h.pid());
                        }),
                        () -> {
                            f.complete(128 + 9);
                            if (pid != null) {
                                CallLedger.ended(pid);
                            }
                        });
            });
        }
    }

    private static <T> void complete(@Nullable CompletableFuture<T> future, T value) {
        if (future != null) {
            future.complete(value);
        }
    }

    /**
     * Forks a child for one call: {@code request} is what the driver reads (header and source).
     *
     * <p>Once the request is sent the fork is seen through even when the caller is interrupted: the
     * child is returned with the caller's interrupt status set, so that the execution kills it as any
     * cancelled process (a child left waiting for its reader would never end).
     */
    ExecProcess fork(Map<String, String> env, String cwd, byte[] request) throws IOException {
        String id = Long.toString(CALLS.incrementAndGet());
        Path out = fifos.resolve(id + ".out");
        Path err = fifos.resolve(id + ".err");
        CompletableFuture<Long> pid = new CompletableFuture<>();
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        started.put(id, pid);
        exited.put(id, exit);
        Map<String, Object> call = new LinkedHashMap<>();
        call.put("id", id);
        call.put("cwd", cwd);
        call.put("env", env);
        call.put("out", visibleFifos + "/" + out.getFileName());
        call.put("err", visibleFifos + "/" + err.getFileName());
        call.put("request", new String(request, StandardCharsets.UTF_8));
        byte[] body = dev.exxec.internal.Json.write(call).getBytes(StandardCharsets.UTF_8);
        boolean interrupted = false;
        try {
            try {
                synchronized (control) {
                    control.write(("exxec-fork/1\t" + body.length + "\n").getBytes(StandardCharsets.UTF_8));
                    control.write(body);
                    control.flush();
                }
            } catch (IOException e) {
                alive.set(false);
                exited.remove(id);
                throw new Unavailable("the zygote is gone: " + e.getMessage(), e);
            }
            long child;
            long deadline = System.nanoTime() + START.toNanos();
            while (true) {
                try {
                    child = pid.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            // The zygote holds the FIFOs open until told that they are opened here: the opens do not
            // wait, and what the child writes meanwhile stays in them.
            FifoReader stdout = new FifoReader(out);
            FifoReader stderr = new FifoReader(err);
            CompletableFuture<Void> opened = CompletableFuture.allOf(stdout.opened, stderr.opened);
            CompletableFuture.anyOf(opened, died).join();
            if (!opened.isDone()) {
                // The zygote died, and its hold with it: let the readers through.
                stdout.unblock(out);
                stderr.unblock(err);
            }
            try {
                synchronized (control) {
                    control.write(("exxec-opened/1\t" + id + "\n").getBytes(StandardCharsets.UTF_8));
                    control.flush();
                }
            } catch (IOException e) {
                // it died: its hold is gone with it
            }
            Armed cell = armed.remove(id);
            try {
                opened.join();
            } catch (java.util.concurrent.CompletionException e) {
                Child c = new Child(child, stdout.pipe.source(), stderr.pipe.source(), exit, cell);
                c.kill();
                c.closeStreams();
                if (cell != null) {
                    cell.lease().close();
                }
                throw new IOException("could not open the output of child " + child + ": " + e.getCause(), e);
            }
            served.incrementAndGet();
            return new Child(child, stdout.pipe.source(), stderr.pipe.source(), exit, cell);
        } catch (ExecutionException | TimeoutException e) {
            alive.set(false);
            exited.remove(id);
            throw new Unavailable("the zygote did not fork: " + e.getMessage(), e);
        } finally {
            started.remove(id);
            Armed left = armed.remove(id);
            if (left != null) {
                left.lease().killAll();
                left.lease().close();
            }
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * A FIFO opened and read on a platform thread, its bytes passed on through a pipe. A blocking open
     * or read of a FIFO on a virtual thread would hold one of the few carrier threads for the whole
     * call: a few calls at once would leave none to run the callers' own threads (a cancelled caller
     * would not even wake up).
     */
    private static final class FifoReader {
        private final Pipe pipe = new Pipe(PIPE_BYTES);
        private final CompletableFuture<Void> opened = new CompletableFuture<>();

        FifoReader(Path fifo) {
            READERS.execute(() -> {
                try (FileInputStream in = new FileInputStream(fifo.toFile());
                        OutputStream sink = pipe.sink()) {
                    opened.complete(null);
                    in.transferTo(sink);
                } catch (IOException | RuntimeException e) {
                    // not opened, or the reading side was closed: either way the stream ends here
                    opened.completeExceptionally(e);
                    closeQuietly(pipe.sink());
                }
            });
        }

        /**
         * Opens the FIFO for reading and writing and closes it: the reader waiting in its open gets
         * through to an empty stream. Such an open never waits, whether a reader is there or not.
         */
        void unblock(Path fifo) {
            if (opened.isDone() || !Files.exists(fifo)) {
                return;
            }
            try (java.io.RandomAccessFile both = new java.io.RandomAccessFile(fifo.toFile(), "rw")) {
                // nothing to write
            } catch (IOException e) {
                // removed meanwhile
            }
        }

        void close() {
            closeQuietly(pipe.source());
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // closed already
        }
    }

    /** The zygote could not fork a child for the call, which did not start: run it another way. */
    static final class Unavailable extends IOException {
        private static final long serialVersionUID = 1L;

        Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A forked child, as ExecutionRun sees a process. */
    private final class Child implements ExecProcess {
        private final long pid;
        private final InputStream stdout;
        private final InputStream stderr;
        private final CompletableFuture<Integer> exit;
        /** Its cgroups, where it is sandboxed. */
        private final @Nullable Armed cell;

        private final AtomicBoolean released = new AtomicBoolean();

        Child(long pid, InputStream stdout, InputStream stderr, CompletableFuture<Integer> exit, @Nullable Armed cell) {
            this.pid = pid;
            this.stdout = stdout;
            this.stderr = stderr;
            this.exit = exit;
            this.cell = cell;
        }

        @Override
        public Long pid() {
            return pid;
        }

        @Override
        public InputStream stdout() {
            return stdout;
        }

        @Override
        public InputStream stderr() {
            return stderr;
        }

        @Override
        public OutputStream stdin() {
            return OutputStream.nullOutputStream(); // the program came with the fork; it reads nothing
        }

        @Override
        public boolean waitFor(Duration timeout) throws InterruptedException {
            try {
                if (timeout.isZero()) {
                    exit.get();
                } else {
                    exit.get(Math.max(1, timeout.toNanos()), TimeUnit.NANOSECONDS);
                }
                return true;
            } catch (TimeoutException e) {
                return false;
            } catch (ExecutionException e) {
                return true;
            }
        }

        @Override
        public int exitCode() {
            Integer code = exit.getNow(null);
            if (code == null) {
                throw new IllegalStateException("child " + pid + " has not ended");
            }
            return code;
        }

        /**
         * The child leads its own session: everything in it dies. A sandboxed one does not, but all it
         * started is its descendant (the init of its PID namespace is its child) and in its cgroups.
         */
        @Override
        public void kill() {
            if (cell == null) {
                ProcessTree.kill(pid, ProcessHandle.of(pid).orElse(null));
            } else {
                ProcessTree.kill(0, ProcessHandle.of(pid).orElse(null));
                cell.lease().killAll();
            }
        }

        @Override
        public void release() {
            if (released.compareAndSet(false, true)) {
                Thread.ofVirtual().name("exxec-sweep-" + pid).start(() -> {
                    if (cell == null) {
                        ProcessTree.kill(pid, null);
                    } else {
                        cell.lease().killAll();
                    }
                });
            }
        }

        /** Sandboxed: whether the memory limit killed it, and its cgroups are removed. */
        @Override
        public dev.exxec.ExecutionResult conclude(dev.exxec.ExecutionResult result) {
            if (cell == null) {
                return result;
            }
            try {
                // The kernel's count in the child's cgroup, read on the host: nothing the code wrote.
                if (!result.success() && cell.lease().oomKilled()) {
                    return result.toBuilder()
                            .stopped(
                                    dev.exxec.Stop.MEMORY_LIMIT,
                                    "the sandbox's memory limit was reached; the kernel killed the code",
                                    result.traceback())
                            .build();
                }
                return result;
            } finally {
                cell.lease().close();
            }
        }

        @Override
        public void closeStreams() {
            closeQuietly(stdout);
            closeQuietly(stderr);
        }
    }

    @Override
    public void close() {
        alive.set(false);
        try {
            control.close(); // the zygote ends at the end of its input
        } catch (IOException e) {
            // gone already
        }
        process.kill();
        if (own != null) {
            own.killAll();
            own.close();
        }
        spares.values().forEach(a -> {
            a.lease().killAll();
            a.lease().close();
        });
        spares.clear();
    }
}
