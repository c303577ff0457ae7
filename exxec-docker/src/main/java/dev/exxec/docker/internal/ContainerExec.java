package dev.exxec.docker.internal;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectExecResponse;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import dev.exxec.spi.CallAnnouncement;
import dev.exxec.spi.ExecProcess;
import dev.exxec.spi.Pipe;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * One exec in a container, as {@link dev.exxec.spi.ExecutionRun} sees a process: the multiplexed
 * stream split into standard output and error as it arrives, standard input through the hijacked
 * connection, the exit code from exec inspect.
 *
 * <p>The command runs through the container's {@code run.sh}, which announces its pid and start time
 * as the first line of standard error; that line is taken out here and kept for {@link #kill()},
 * which runs {@code kill.sh} in the container: docker has no API to kill an exec. Neither the
 * announcement nor the killer is trusted to have worked: what ends a kill is the daemon's word that
 * the exec no longer runs, which nothing in the container can forge.
 */
public final class ContainerExec implements ExecProcess {
    /** Ends what a call left in the container, given its root pid and the root's start time. */
    public interface Killer {
        /** Kills the call's processes now and returns when they are gone. */
        void kill(long pid, long startTime);

        /** The call ended normally: what it left goes soon, without holding up the caller. */
        void release(long pid, long startTime);

        /**
         * Whether a kill must be confirmed by the daemon: not once the container is being removed
         * (or was stopped) with everything in it.
         */
        default boolean confirms() {
            return true;
        }

        /**
         * The daemon still shows the exec running after its kill: something in the container
         * stopped the killer (code running as root can replace or disable anything there), so the
         * container can no longer be trusted to end a call.
         */
        void survived(ContainerExec exec);

        /** For execs that are not calls: nothing to end. */
        Killer NONE = new Killer() {
            @Override
            public void kill(long pid, long startTime) {}

            @Override
            public void release(long pid, long startTime) {}

            @Override
            public boolean confirms() {
                return false;
            }

            @Override
            public void survived(ContainerExec exec) {}
        };
    }

    /**
     * How long the daemon may go on showing a killed exec running: a kill that worked shows within
     * milliseconds; one that shows later than this did not work.
     */
    static final Duration KILL_CONFIRMATION = Duration.ofSeconds(3);

    /** How long a kill waits for the call's announcement (a loaded machine may take a while to start run.sh). */
    private static final Duration ANNOUNCEMENT_WAIT = Duration.ofSeconds(3);

    private static final int PIPE = 64 * 1024;

    private final DockerClient client;
    private final String execId;
    private final Killer killer;
    private final Pipe stdout = new Pipe(PIPE);
    private final Pipe stderr = new Pipe(PIPE);
    private final Pipe stdin = new Pipe(PIPE);
    private final CompletableFuture<Void> streamEnded = new CompletableFuture<>();
    private final CompletableFuture<long[]> announced = new CompletableFuture<>();
    private final ByteArrayOutputStream firstLine = new ByteArrayOutputStream();
    private final ResultCallback.Adapter<Frame> callback;
    private final boolean tty;
    private volatile @Nullable Integer exitCode;

    private ContainerExec(DockerClient client, String execId, Killer killer, boolean tty, boolean announces) {
        this.client = client;
        this.execId = execId;
        this.killer = killer;
        this.tty = tty;
        this.callback = new ResultCallback.Adapter<>() {
            @Override
            public void onNext(Frame frame) {
                try {
                    if (frame.getStreamType() == StreamType.STDERR) {
                        announcing(frame.getPayload(), stderr);
                    } else if (frame.getStreamType() == StreamType.STDOUT || frame.getStreamType() == StreamType.RAW) {
                        // On a terminal everything, the announcement too, comes on one raw stream.
                        if (ContainerExec.this.tty) {
                            announcing(frame.getPayload(), stdout);
                        } else {
                            stdout.sink().write(frame.getPayload());
                        }
                    }
                } catch (IOException e) {
                    // the reader went away (the run ended or was abandoned): drop the rest
                }
            }

            @Override
            public void onError(Throwable error) {
                end();
            }

            @Override
            public void onComplete() {
                end();
            }
        };
        if (!announces) {
            announced.complete(null);
        }
    }

    /**
     * Creates and starts an exec.
     *
     * @param command the command, usually {@code sh run.sh ...}
     * @param env the exec's variables, {@code NAME=value}
     * @param tty whether it runs on a pseudo-terminal (then stdout carries everything, raw)
     * @param announces whether the command is run.sh, whose first line announces the call
     */
    public static ContainerExec start(
            DockerClient client,
            String containerId,
            List<String> command,
            List<String> env,
            String workingDir,
            @Nullable String user,
            boolean tty,
            boolean announces,
            Killer killer) {
        var create = client.execCreateCmd(containerId)
                .withCmd(command.toArray(String[]::new))
                .withEnv(env)
                .withWorkingDir(workingDir)
                .withAttachStdin(true)
                .withAttachStdout(true)
                .withAttachStderr(true)
                .withTty(tty);
        if (user != null) {
            create.withUser(user);
        }
        String execId = create.exec().getId();
        ContainerExec exec = new ContainerExec(client, execId, killer, tty, announces);
        // On a terminal, typed input is echoed: sent before run.sh announced the call, its echo would
        // come first and hide the announcement. So a terminal's input waits for it.
        InputStream input = tty && announces ? exec.afterAnnouncement(exec.stdin.source()) : exec.stdin.source();
        client.execStartCmd(execId).withTty(tty).withStdIn(input).exec(exec.callback);
        return exec;
    }

    /** The stream, whose first read waits (a few seconds at most) until the call was announced. */
    private InputStream afterAnnouncement(InputStream in) {
        return new java.io.FilterInputStream(in) {
            private boolean open;

            private void awaitAnnouncement() throws IOException {
                if (open) {
                    return;
                }
                CallAnnouncement.awaitBriefly(announced);
                open = true;
            }

            @Override
            public int read() throws IOException {
                awaitAnnouncement();
                return super.read();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                awaitAnnouncement();
                return super.read(b, off, len);
            }
        };
    }

    /** Takes run.sh's announcement out of the first line of a stream (standard error, or a terminal's). */
    private synchronized void announcing(byte[] payload, Pipe into) throws IOException {
        Pipe stderr = into;
        if (announced.isDone()) {
            stderr.sink().write(payload);
            return;
        }
        int i = 0;
        while (i < payload.length && !announced.isDone()) {
            byte b = payload[i++];
            if (b == '\n') {
                byte[] line = firstLine.toByteArray();
                firstLine.reset();
                long[] parsed = CallAnnouncement.parse(line);
                announced.complete(parsed);
                if (parsed == null) {
                    stderr.sink().write(line); // not an announcement: it was the program's own output
                    stderr.sink().write('\n');
                }
            } else {
                firstLine.write(b);
                if (firstLine.size() > 256) { // far too long for an announcement
                    announced.complete(null);
                    stderr.sink().write(firstLine.toByteArray());
                    firstLine.reset();
                }
            }
        }
        if (i < payload.length) {
            stderr.sink().write(payload, i, payload.length - i);
        }
    }

    private synchronized void end() {
        boolean pending = !announced.isDone();
        announced.complete(null);
        try {
            if (pending && firstLine.size() > 0) {
                // an unterminated first line of the program's own
                (tty ? stdout : stderr).sink().write(firstLine.toByteArray());
                firstLine.reset();
            }
        } catch (IOException e) {
            // the reader went away
        } finally {
            closeQuietly(stdout.sink());
            closeQuietly(stderr.sink());
            streamEnded.complete(null);
        }
    }

    /**
     * The pid of the call's root in the container's PID namespace, as run.sh announced it; the
     * announcement is its first act, so this waits for it a little (null when it does not come).
     */
    @Override
    public @Nullable Long pid() {
        long[] a;
        try {
            a = announced.get(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            a = null;
        } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
            a = null;
        }
        return a == null ? null : a[0];
    }

    @Override
    public InputStream stdout() {
        return stdout.source();
    }

    @Override
    public InputStream stderr() {
        return stderr.source();
    }

    @Override
    public OutputStream stdin() {
        return stdin.sink();
    }

    /**
     * Waits for the exec's main process to end: the stream ends with it unless something it started
     * still holds it open, so the exec is also inspected now and then.
     */
    @Override
    public boolean waitFor(Duration timeout) throws InterruptedException {
        long deadline = timeout.isZero() ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
        while (true) {
            long slice = Math.min(250_000_000L, deadline - System.nanoTime());
            if (slice <= 0) {
                return exitCode != null || finished();
            }
            try {
                streamEnded.get(slice, TimeUnit.NANOSECONDS);
                return awaitExitCode();
            } catch (TimeoutException e) {
                if (finished()) {
                    return true;
                }
            } catch (java.util.concurrent.ExecutionException e) {
                return awaitExitCode();
            }
        }
    }

    /** After the stream ended the exec may still be marked running for a moment. */
    private boolean awaitExitCode() throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            if (finished()) {
                return true;
            }
            Thread.sleep(i < 10 ? 2 : 20);
        }
        return finished();
    }

    private boolean finished() {
        if (exitCode != null) {
            return true;
        }
        try {
            InspectExecResponse inspect = client.inspectExecCmd(execId).exec();
            if (Boolean.FALSE.equals(inspect.isRunning()) && inspect.getExitCodeLong() != null) {
                exitCode = inspect.getExitCodeLong().intValue();
                return true;
            }
            return false;
        } catch (RuntimeException e) {
            exitCode = 128 + 9; // the container is gone: so is the exec
            return true;
        }
    }

    @Override
    public int exitCode() {
        Integer code = exitCode;
        if (code == null) {
            throw new IllegalStateException("exec " + execId + " has not ended");
        }
        return code;
    }

    /**
     * Kills everything the call started, daemons that left it included, and returns when they are
     * gone; the stream then ends by itself once what was still in flight is read.
     */
    @Override
    public void kill() {
        killTree();
    }

    /**
     * After a normal end: what is left of the call goes soon, as {@link #kill()} does (its tree, its
     * session, and what detached from it: a daemon dies with the call that started it, as in a
     * sandbox whose namespace ends with the call).
     */
    @Override
    public void release() {
        long[] call = announced.getNow(null);
        if (call != null) {
            killer.release(call[0], call[1]);
        }
    }

    @Override
    public void closeStreams() {
        try {
            callback.close();
        } catch (IOException e) {
            // already closed
        }
        end();
        closeQuietly(stdin.source());
    }

    private void killTree() {
        long[] call;
        try {
            call = announced.get(ANNOUNCEMENT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            call = null;
        } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
            call = null;
        }
        if (call != null) {
            killer.kill(call[0], call[1]);
        }
        if (killer.confirms() && !endsWithin(KILL_CONFIRMATION)) {
            killer.survived(this);
        }
    }

    /**
     * Whether the daemon shows the exec ended within {@code grace}: its own record of the process,
     * not anything the process or the container says.
     */
    private boolean endsWithin(Duration grace) {
        long deadline = System.nanoTime() + grace.toNanos();
        boolean interrupted = Thread.interrupted(); // the check must finish: the caller is being cancelled
        try {
            for (int i = 0; ; i++) {
                if (finished()) {
                    return true;
                }
                if (System.nanoTime() > deadline) {
                    return false;
                }
                try {
                    Thread.sleep(i < 20 ? 5 : 25);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * What a helper (an exec that is not a call) printed and how it ended.
     *
     * @param exitCode its exit code
     * @param stdout its standard output, at most the limit asked for
     * @param stdoutCut whether there was more than that
     * @param stderr its standard error (at most 64 KiB)
     */
    public record Outcome(int exitCode, byte[] stdout, boolean stdoutCut, String stderr) {}

    /**
     * Runs a helper (not through run.sh) as {@code user} to its end.
     *
     * @param input what it reads on standard input, or null for nothing
     * @param outputLimit most bytes of its standard output kept
     * @throws dev.exxec.ExxecException when it does not end within {@code timeout}
     * @throws dev.exxec.ExecutionCancelledException when the calling thread is interrupted
     */
    public static Outcome run(
            DockerClient client,
            String containerId,
            List<String> command,
            @Nullable String user,
            byte @Nullable [] input,
            int outputLimit,
            Duration timeout) {
        ContainerExec exec = start(client, containerId, command, List.of(), "/", user, false, false, Killer.NONE);
        try {
            CompletableFuture<Collected> out = collect(exec.stdout(), outputLimit);
            CompletableFuture<Collected> err = collect(exec.stderr(), 64 * 1024);
            if (input == null || input.length == 0) {
                exec.stdin().close();
            } else {
                Thread.ofVirtual().name("exxec-docker-helper-input").start(() -> {
                    try (OutputStream in = exec.stdin()) {
                        in.write(input);
                    } catch (IOException e) {
                        // the helper ended early: its exit code says why
                    }
                });
            }
            if (!exec.waitFor(timeout)) {
                exec.closeStreams();
                throw new dev.exxec.ExxecException("container helper " + command.get(command.size() > 1 ? 1 : 0)
                        + " did not finish in " + timeout);
            }
            try {
                // The helper ended: its output is all there, or held open by nothing of ours.
                CompletableFuture.allOf(out, err).get(2, TimeUnit.SECONDS);
            } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
                exec.closeStreams();
            }
            Collected stdout = out.join();
            return new Outcome(
                    exec.exitCode(),
                    stdout.bytes(),
                    stdout.cut(),
                    new String(err.join().bytes(), java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            exec.closeStreams();
            Thread.currentThread().interrupt();
            throw new dev.exxec.ExecutionCancelledException("interrupted", e);
        }
    }

    private record Collected(byte[] bytes, boolean cut) {}

    /** Reads a stream to its end on a virtual thread, keeping at most {@code limit} bytes. */
    private static CompletableFuture<Collected> collect(InputStream in, int limit) {
        CompletableFuture<Collected> result = new CompletableFuture<>();
        Thread.ofVirtual().name("exxec-docker-helper").start(() -> {
            byte[] kept = new byte[0];
            boolean cut = false;
            try {
                kept = in.readNBytes(limit);
                cut = in.transferTo(OutputStream.nullOutputStream()) > 0;
            } catch (IOException e) {
                // the stream was closed: keep what came
            } catch (RuntimeException | Error e) {
                // Whatever went wrong (the heap), the waiting caller hears of it and never hangs.
                result.completeExceptionally(e);
                return;
            }
            result.complete(new Collected(kept, cut));
        });
        return result;
    }

    private static void closeQuietly(java.io.Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException e) {
            // a pipe's ends do not fail to close
        }
    }

    /** The exec's id, for resizing a terminal. */
    public String execId() {
        return execId;
    }

    @Override
    public String toString() {
        return "ContainerExec[" + execId + "]";
    }
}
