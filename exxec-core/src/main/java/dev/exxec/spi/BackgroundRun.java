package dev.exxec.spi;

import dev.exxec.BackgroundProcess;
import dev.exxec.ErrorTypes;
import dev.exxec.EventStream;
import dev.exxec.ExecutionEvent;
import dev.exxec.ExecutionResult;
import dev.exxec.ExxecException;
import dev.exxec.ProcessOutput;
import dev.exxec.StdStream;
import dev.exxec.internal.PlatformThreads;
import dev.exxec.internal.QueueEventStream;
import dev.exxec.internal.StreamPump;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * A background process over any {@link ExecProcess}: its output goes to an {@link OutputLog} (the
 * most recent bytes up to the limit), followed live by any number of event streams; when its main
 * process ends, whatever it left is killed, so it ends as a whole.
 */
public final class BackgroundRun implements BackgroundProcess {
    /** Starts the process. */
    @FunctionalInterface
    public interface Starter {
        ExecProcess start() throws IOException;
    }

    private final String id;
    private final String command;
    private final ExecProcess process;
    private final OutputLog log;
    private final Instant started = Instant.now();
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    /** How it ended, known once {@link #exit} completed. */
    private volatile @org.jspecify.annotations.Nullable ExecutionResult outcome;

    private final Object stdinLock = new Object();

    private BackgroundRun(String id, String command, ExecProcess process, OutputLog log) {
        this.id = id;
        this.command = command;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts a background process.
     *
     * @param id its id
     * @param command its command line, for display
     * @param limit bytes of output kept per stream
     * @param starter starts the process
     * @param onKilled told the id once {@link #kill()} ended it (to forget it)
     */
    public static BackgroundRun start(String id, String command, long limit, Starter starter, Consumer<String> onKilled)
            throws IOException {
        ExecProcess process = starter.start();
        OutputLog log = new OutputLog(Math.max(1, limit));
        BackgroundRun p = new BackgroundRun(id, command, process, log);
        // Reads that may wait as long as the process runs: on platform threads (see PlatformThreads).
        Thread out = PlatformThreads.start(
                id + "-stdout", new StreamPump(process.stdout(), StdStream.STDOUT, null, log::append, null, 0, null));
        Thread err = PlatformThreads.start(
                id + "-stderr", new StreamPump(process.stderr(), StdStream.STDERR, null, log::append, null, 0, null));
        Thread.ofVirtual().name(id + "-watch").start(() -> p.watch(out, err));
        p.onKilled = onKilled;
        return p;
    }

    private volatile Consumer<String> onKilled = id -> {};

    /** Waits for the end, then removes leftovers so the streams close, and records the exit code. */
    private void watch(Thread out, Thread err) {
        try {
            process.waitFor(Duration.ZERO);
            out.join(Duration.ofMillis(200));
            err.join(Duration.ofMillis(200));
            process.kill(); // leftovers of the session; also closes pipes they held
            out.join(Duration.ofSeconds(1));
            err.join(Duration.ofSeconds(1));
            if (out.isAlive() || err.isAlive()) {
                process.closeStreams();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            log.close();
            int code = safeExitCode();
            outcome = process.conclude(result(code)); // also releases what the process held (cgroups)
            exit.complete(code);
        }
    }

    private ExecutionResult result(int code) {
        ProcessOutput output = log.snapshot();
        ExecutionResult.Builder result = ExecutionResult.builder()
                .stdout(output.stdout())
                .stderr(output.stderr())
                .stdoutTruncated(output.truncated())
                .stderrTruncated(output.truncated())
                .exitCode(code)
                .duration(Duration.between(started, Instant.now()));
        if (code == 0) {
            result.success(true);
        } else {
            result.error("the process exited with " + ExecutionRun.describeExit(code), ErrorTypes.PROCESS_EXIT, null);
        }
        return result.build();
    }

    private int safeExitCode() {
        try {
            return process.exitCode();
        } catch (IllegalThreadStateException e) {
            return 128 + 9;
        }
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String command() {
        return command;
    }

    @Override
    public OptionalLong pid() {
        Long pid = process.pid();
        return pid == null ? OptionalLong.empty() : OptionalLong.of(pid);
    }

    @Override
    public boolean isAlive() {
        return !exit.isDone();
    }

    @Override
    public OptionalInt exitCode() {
        Integer code = exit.getNow(null);
        return code == null ? OptionalInt.empty() : OptionalInt.of(code);
    }

    @Override
    public OptionalInt waitFor(Duration timeout) throws InterruptedException {
        try {
            return OptionalInt.of(exit.get(timeout.toNanos(), TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            return OptionalInt.empty();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new ExxecException("waiting for " + id + " failed", e.getCause());
        }
    }

    @Override
    public ProcessOutput output() {
        return log.snapshot();
    }

    @Override
    public EventStream events() {
        Thread[] follower = {null};
        QueueEventStream stream = new QueueEventStream(id, () -> {
            if (follower[0] != null) {
                follower[0].interrupt();
            }
        });
        follower[0] = Thread.ofVirtual().name(id + "-events").start(() -> follow(stream));
        return stream;
    }

    private void follow(QueueEventStream stream) {
        stream.emit(new ExecutionEvent.Started(id, command, process.pid()));
        long cursor = 0;
        try {
            while (true) {
                var pieces = log.read(cursor, Duration.ofSeconds(1));
                for (OutputLog.Piece piece : pieces) {
                    stream.emit(new ExecutionEvent.Output(id, piece.stream(), piece.text()));
                    cursor = piece.index() + 1;
                }
                if (pieces.isEmpty() && log.isClosed()) {
                    break;
                }
            }
            exit.get();
            stream.emit(ExecutionRun.terminalEvent(id, java.util.Objects.requireNonNull(outcome)));
        } catch (InterruptedException e) {
            // the reader closed the stream; the process keeps running
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void write(byte[] input) {
        synchronized (stdinLock) {
            try {
                OutputStream stdin = process.stdin();
                stdin.write(input);
                stdin.flush();
            } catch (IOException e) {
                throw new ExxecException("cannot write to " + id + ": its input is closed (" + e.getMessage() + ")", e);
            }
        }
    }

    @Override
    public void closeStdin() {
        synchronized (stdinLock) {
            try {
                process.stdin().close();
            } catch (IOException e) {
                // already closed
            }
        }
    }

    @Override
    public void kill() {
        process.kill();
        try {
            exit.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
        onKilled.accept(id);
    }

    @Override
    public String toString() {
        return "BackgroundProcess[" + id + ", pid " + process.pid() + ", " + command + "]";
    }
}
