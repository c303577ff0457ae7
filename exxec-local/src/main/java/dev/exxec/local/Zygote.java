package dev.exxec.local;

import dev.exxec.spi.ExecProcess;
import dev.exxec.spi.HostProcess;
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
 * <p>One per environment, started on first use. When it cannot start or dies, calls fall back to a
 * fresh interpreter (the caller sees no difference but the time).
 */
final class Zygote implements AutoCloseable {
    private static final Duration START = Duration.ofSeconds(10);

    private final HostProcess process;
    private final Path fifos;
    private final OutputStream control;
    private final Map<String, CompletableFuture<Long>> started = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Integer>> exited = new ConcurrentHashMap<>();
    private final AtomicBoolean alive = new AtomicBoolean(true);
    private long calls;

    private Zygote(HostProcess process, Path fifos) {
        this.process = process;
        this.fifos = fifos;
        this.control = process.stdin();
        Thread.ofVirtual().name("exxec-zygote").start(this::listen);
        Thread.ofVirtual().name("exxec-zygote-stderr").start(() -> {
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
        ProcessBuilder builder = new ProcessBuilder(python.toString(), zygoteScript.toString(), driver.toString())
                .directory(cwd.toFile());
        builder.environment().clear();
        builder.environment().putAll(env);
        return new Zygote(HostProcess.start(builder, HostProcess.SessionMode.SETSID), fifos);
    }

    boolean isAlive() {
        return alive.get()
                && ProcessHandle.of(process.pid()).map(ProcessHandle::isAlive).orElse(false);
    }

    private void listen() {
        try (BufferedReader lines =
                new BufferedReader(new InputStreamReader(process.stdout(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                String[] f = line.split("\t", 3);
                if (f.length < 3) {
                    continue;
                }
                switch (f[0]) {
                    case "started" -> complete(started.get(f[1]), Long.parseLong(f[2]));
                    case "exit" -> complete(exited.get(f[1]), Integer.parseInt(f[2]));
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
            started.values().forEach(f -> f.completeExceptionally(new IOException("the zygote died")));
            exited.values().forEach(f -> f.complete(128 + 9));
        }
    }

    private static <T> void complete(@Nullable CompletableFuture<T> future, T value) {
        if (future != null) {
            future.complete(value);
        }
    }

    /** Forks a child for one call: {@code request} is what the driver reads (header and source). */
    ExecProcess fork(Map<String, String> env, Path cwd, byte[] request) throws IOException {
        String id;
        synchronized (this) {
            id = Long.toString(++calls);
        }
        Path out = fifos.resolve(id + ".out");
        Path err = fifos.resolve(id + ".err");
        CompletableFuture<Long> pid = new CompletableFuture<>();
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        started.put(id, pid);
        exited.put(id, exit);
        Map<String, Object> call = new LinkedHashMap<>();
        call.put("id", id);
        call.put("cwd", cwd.toString());
        call.put("env", env);
        call.put("out", out.toString());
        call.put("err", err.toString());
        call.put("request", new String(request, StandardCharsets.UTF_8));
        byte[] body = dev.exxec.internal.Json.write(call).getBytes(StandardCharsets.UTF_8);
        try {
            synchronized (control) {
                control.write(("exxec-fork/1\t" + body.length + "\n").getBytes(StandardCharsets.UTF_8));
                control.write(body);
                control.flush();
            }
            long child = pid.get(START.toMillis(), TimeUnit.MILLISECONDS);
            // Opening a FIFO waits for its writer, the child, which opens both first thing.
            InputStream stdout = new FileInputStream(out.toFile());
            InputStream stderr = new FileInputStream(err.toFile());
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            return new Child(child, stdout, stderr, exit);
        } catch (ExecutionException | TimeoutException e) {
            alive.set(false);
            throw new IOException("the zygote did not fork: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while forking");
        } finally {
            started.remove(id);
        }
    }

    /** A forked child, as ExecutionRun sees a process. */
    private final class Child implements ExecProcess {
        private final long pid;
        private final InputStream stdout;
        private final InputStream stderr;
        private final CompletableFuture<Integer> exit;
        private final AtomicBoolean released = new AtomicBoolean();

        Child(long pid, InputStream stdout, InputStream stderr, CompletableFuture<Integer> exit) {
            this.pid = pid;
            this.stdout = stdout;
            this.stderr = stderr;
            this.exit = exit;
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

        /** The child leads its own session: everything in it dies. */
        @Override
        public void kill() {
            ProcessTree.kill(pid, ProcessHandle.of(pid).orElse(null));
        }

        @Override
        public void release() {
            if (released.compareAndSet(false, true)) {
                Thread.ofVirtual().name("exxec-sweep-" + pid).start(() -> ProcessTree.kill(pid, null));
            }
        }

        @Override
        public void closeStreams() {
            try {
                stdout.close();
            } catch (IOException e) {
                // closed already
            }
            try {
                stderr.close();
            } catch (IOException e) {
                // closed already
            }
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
    }
}
