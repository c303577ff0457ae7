package dev.exxec.local;

import com.pty4j.PtyProcess;
import com.pty4j.PtyProcessBuilder;
import com.pty4j.WinSize;
import dev.exxec.ExxecException;
import dev.exxec.Terminal;
import dev.exxec.TerminalSize;
import dev.exxec.spi.ProcessTree;
import dev.exxec.spi.TerminalBuffer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** A pseudo-terminal on this machine. Its process leads its own session, killed as a whole. */
final class LocalTerminal implements Terminal {
    private final String id;
    private final PtyProcess process;
    private final TerminalBuffer buffer = new TerminalBuffer(4 << 20);
    private final InputStream output = buffer.stream();
    private final Consumer<String> onKilled;
    private final dev.exxec.local.internal.Cgroups.@org.jspecify.annotations.Nullable Lease lease;
    private volatile TerminalSize size;
    private final java.util.concurrent.CompletableFuture<Integer> exit = new java.util.concurrent.CompletableFuture<>();

    private LocalTerminal(
            String id,
            PtyProcess process,
            TerminalSize size,
            dev.exxec.local.internal.Cgroups.@org.jspecify.annotations.Nullable Lease lease,
            Consumer<String> onKilled) {
        this.id = id;
        this.process = process;
        this.lease = lease;
        this.size = size;
        this.onKilled = onKilled;
        // A platform thread: pty4j reads in a native (JNA) call, which would pin a virtual thread's
        // carrier without compensation and, on a small machine, stall every other virtual thread.
        Thread.ofPlatform().daemon().name(id + "-output").start(this::pump);
        Thread.ofPlatform().daemon().name(id + "-exit").start(this::reap);
    }

    /** Drains the terminal continuously, so the program never blocks on output nobody reads yet. */
    private void pump() {
        byte[] chunk = new byte[8192];
        try (InputStream in = process.getInputStream()) {
            int n;
            while ((n = in.read(chunk)) >= 0) {
                buffer.append(chunk, 0, n);
            }
        } catch (IOException e) {
            // the terminal closed (Linux reports EIO when the last program on it ended)
        } finally {
            buffer.close();
        }
    }

    private void reap() {
        try {
            exit.complete(process.waitFor());
        } catch (InterruptedException e) {
            exit.complete(128 + 9);
        } finally {
            dev.exxec.local.internal.CallLedger.ended(process.pid());
            if (lease != null) {
                lease.close();
            }
        }
    }

    static LocalTerminal open(String id, Confinement.Launch launch, TerminalSize size, Consumer<String> onKilled)
            throws IOException {
        PtyProcess process;
        try {
            PtyProcessBuilder builder = new PtyProcessBuilder(launch.command().toArray(String[]::new))
                    .setEnvironment(launch.environment())
                    .setDirectory(launch.hostCwd().toString())
                    .setInitialColumns(size.columns())
                    .setInitialRows(size.rows())
                    .setRedirectErrorStream(true);
            process = dev.exxec.spi.HostProcess.spawn(builder::start); // the parent thread matters: see spawn
        } catch (IOException | RuntimeException e) {
            launch.abandon();
            throw e;
        }
        launch.started(process.pid());
        dev.exxec.local.internal.CallLedger.track(process.pid()); // see CallLedger
        // pty4j applies the initial size asynchronously; setting it again now means a program that
        // asks right after start sees the right size.
        process.setWinSize(new WinSize(size.columns(), size.rows()));
        return new LocalTerminal(id, process, size, launch.lease(), onKilled);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public OptionalLong pid() {
        return OptionalLong.of(process.pid());
    }

    @Override
    public void write(byte[] input) {
        try {
            OutputStream in = process.getOutputStream();
            synchronized (in) {
                in.write(input);
                in.flush();
            }
        } catch (IOException e) {
            throw new ExxecException("cannot write to terminal " + id + ": " + e.getMessage(), e);
        }
    }

    @Override
    public InputStream output() {
        return output;
    }

    @Override
    public String readUntil(String expected, Duration timeout) {
        return buffer.readUntil(id, expected, timeout);
    }

    @Override
    public void resize(TerminalSize size) {
        process.setWinSize(new WinSize(size.columns(), size.rows()));
        this.size = size;
    }

    @Override
    public TerminalSize size() {
        return size;
    }

    @Override
    public boolean isAlive() {
        return !exit.isDone();
    }

    /** Waits on the pump's record of the exit, never in pty4j itself (a native wait would pin). */
    @Override
    public OptionalInt waitFor(Duration timeout) throws InterruptedException {
        try {
            return OptionalInt.of(exit.get(timeout.toNanos(), TimeUnit.NANOSECONDS));
        } catch (java.util.concurrent.TimeoutException e) {
            return OptionalInt.empty();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new ExxecException("waiting for terminal " + id + " failed", e.getCause());
        }
    }

    @Override
    public void kill() {
        ProcessTree.kill(process.pid(), ProcessHandle.of(process.pid()).orElse(null));
        process.destroyForcibly();
        onKilled.accept(id);
        // The pump records the exit when it sees it: wait for that, so that isAlive() is false on return.
        try {
            exit.get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // killed with SIGKILL: the pump sees the end at once; nothing more to wait for
        }
    }

    @Override
    public String toString() {
        return "Terminal[" + id + ", pid " + process.pid() + "]";
    }
}
