package dev.exxec.spi;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A process on this machine, in a session of its own so that everything it starts can be killed
 * (see {@link ProcessTree}).
 */
public final class HostProcess implements ExecProcess {

    /** How the process comes to lead its own session. */
    public enum SessionMode {
        /** Started through the {@code setsid} program (falls back to {@link #NONE} where there is none). */
        SETSID,
        /** The program calls {@code setsid()} itself first thing (the Python driver does). */
        SELF,
        /** No own session: only descendants still attached to it can be found. */
        NONE
    }

    private final Process process;
    private final boolean ownSession;
    private final AtomicBoolean released = new AtomicBoolean();

    private HostProcess(Process process, boolean ownSession) {
        this.process = process;
        this.ownSession = ownSession;
    }

    /**
     * Starts {@code builder}'s command in its own session. With {@link SessionMode#SETSID} the
     * builder's command gets {@code setsid} in front (the builder is changed).
     */
    public static HostProcess start(ProcessBuilder builder, SessionMode mode) throws IOException {
        boolean ownSession = false;
        if (mode == SessionMode.SETSID && ProcessTree.setsid().isPresent()) {
            List<String> command = new ArrayList<>(builder.command().size() + 1);
            command.add(ProcessTree.setsid().get().toString());
            command.addAll(builder.command());
            builder.command(command);
            ownSession = true;
        } else if (mode == SessionMode.SELF) {
            ownSession = ProcessTree.tracksSessions();
        }
        return new HostProcess(spawn(builder::start), ownSession);
    }

    /** Starts a process; see {@link #spawn}. */
    @FunctionalInterface
    public interface Spawn<T> {
        T start() throws IOException;
    }

    private static final java.util.concurrent.ExecutorService SPAWNER =
            java.util.concurrent.Executors.newSingleThreadExecutor(
                    r -> Thread.ofPlatform().daemon().name("exxec-spawner").unstarted(r));

    /**
     * Runs a process start on one long-lived platform thread. A child's parent-death signal (which
     * bubblewrap's {@code --die-with-parent} uses) fires when the <em>thread</em> that forked it ends,
     * not the process: started from a virtual thread's carrier or a pooled thread that later retires,
     * a sandbox would be killed in the middle of its call, and one whose spawning thread ended before
     * it armed the signal would outlive the JVM. This thread ends only with the JVM.
     */
    public static <T> T spawn(Spawn<T> start) throws IOException {
        java.util.concurrent.Future<T> started = SPAWNER.submit(start::start);
        try {
            return started.get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(e.getCause());
        } catch (InterruptedException e) {
            // The start goes on; the process it makes is killed rather than leaked, with everything it
            // started meanwhile: a launcher (a sandbox's wrapper, setsid, a shell) may have forked
            // already, and a child it left would outlive the call, a whole sandbox included.
            Thread.ofVirtual().start(() -> {
                try {
                    if (started.get() instanceof Process p) {
                        ProcessTree.kill(p.pid(), p.toHandle());
                    }
                } catch (Exception ignored) {
                    // it did not start
                }
            });
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while starting a process");
        }
    }

    @Override
    public Long pid() {
        return process.pid();
    }

    /** Completes when the process has ended (on the JDK's own reaper: no thread of its own). */
    public java.util.concurrent.CompletableFuture<?> onExit() {
        return process.onExit();
    }

    @Override
    public InputStream stdout() {
        return process.getInputStream();
    }

    @Override
    public InputStream stderr() {
        return process.getErrorStream();
    }

    @Override
    public OutputStream stdin() {
        return process.getOutputStream();
    }

    @Override
    public boolean waitFor(Duration timeout) throws InterruptedException {
        if (timeout.isZero()) {
            process.waitFor();
            return true;
        }
        return process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public int exitCode() {
        return process.exitValue();
    }

    @Override
    public void kill() {
        ProcessTree.kill(ownSession ? process.pid() : 0, process.toHandle());
    }

    /**
     * After a normal end, whatever the process left in its session is killed on a background
     * thread: the caller has its result at once, and nothing outlives the call for long.
     */
    @Override
    public void release() {
        if (!released.compareAndSet(false, true)) {
            return;
        }
        if (ownSession) {
            Thread.ofVirtual().name("exxec-sweep-" + process.pid()).start(() -> ProcessTree.kill(process.pid(), null));
        } else {
            kill();
        }
    }

    @Override
    public void closeStreams() {
        for (AutoCloseable c :
                new AutoCloseable[] {process.getInputStream(), process.getErrorStream(), process.getOutputStream()}) {
            try {
                c.close();
            } catch (Exception e) {
                // closing is best effort: the streams may be closed already
            }
        }
    }
}
