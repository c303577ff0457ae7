package dev.exxec.spi;

import dev.exxec.BackgroundProcess;
import dev.exxec.ExxecException;
import dev.exxec.ProcessSpec;
import dev.exxec.Processes;
import dev.exxec.internal.Ids;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * {@link Processes} for any provider that can start a process for a {@link ProcessSpec}: each one a
 * {@link BackgroundRun} (output kept up to its limit, killed with everything it started), listed
 * until it is killed. Thread-safe.
 */
public final class BackgroundProcesses implements Processes {
    /** Starts the process of a spec (usually {@code /bin/sh -c COMMAND} as the provider launches it). */
    @FunctionalInterface
    public interface Launcher {
        ExecProcess start(ProcessSpec spec) throws IOException;
    }

    private final Launcher launcher;
    private final Runnable ensureOpen;
    private final BooleanSupplier closed;
    private final long defaultLimit;
    private final Map<String, BackgroundRun> processes = new ConcurrentHashMap<>();

    /**
     * @param ensureOpen throws when the environment is closed
     * @param closed whether the environment is closed now
     * @param defaultLimit the output kept per stream when a spec sets none
     */
    public BackgroundProcesses(Launcher launcher, Runnable ensureOpen, BooleanSupplier closed, long defaultLimit) {
        this.launcher = launcher;
        this.ensureOpen = ensureOpen;
        this.closed = closed;
        this.defaultLimit = defaultLimit;
    }

    @Override
    public BackgroundProcess start(ProcessSpec spec) {
        ensureOpen.run();
        String id = Ids.next("proc");
        long limit = spec.outputLimit() != null ? spec.outputLimit() : defaultLimit;
        BackgroundRun process;
        try {
            process = BackgroundRun.start(id, spec.command(), limit, () -> launcher.start(spec), processes::remove);
        } catch (ExxecException | IllegalArgumentException e) {
            throw e; // already names what was wrong (a missing directory, a closed environment)
        } catch (IOException | RuntimeException e) {
            throw new ExxecException(
                    "could not start background process '" + spec.command() + "': " + e.getMessage(), e);
        }
        processes.put(id, process);
        if (closed.getAsBoolean()) { // closed while it started: it must not outlive the environment
            process.kill();
        }
        return process;
    }

    @Override
    public List<BackgroundProcess> list() {
        ensureOpen.run();
        return new ArrayList<>(processes.values());
    }

    @Override
    public Optional<BackgroundProcess> get(String id) {
        ensureOpen.run();
        return Optional.ofNullable(processes.get(id));
    }

    /** Kills them all, at once, and returns when they are gone. */
    public void killAll() {
        List<Thread> killers = new ArrayList<>();
        for (BackgroundRun p : List.copyOf(processes.values())) {
            killers.add(Thread.ofVirtual().start(p::kill));
        }
        for (Thread t : killers) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
