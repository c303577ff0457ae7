package dev.exxec.local;

import dev.exxec.BackgroundProcess;
import dev.exxec.ProcessSpec;
import dev.exxec.Processes;
import dev.exxec.internal.Ids;
import dev.exxec.spi.BackgroundRun;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Background processes of a host environment; each runs {@code /bin/sh -c}, launched as the confinement says. */
final class LocalProcesses implements Processes {
    private final HostEnvironment env;
    private final Map<String, BackgroundRun> processes = new ConcurrentHashMap<>();

    LocalProcesses(HostEnvironment env) {
        this.env = env;
    }

    @Override
    public BackgroundProcess start(ProcessSpec spec) {
        env.ensureOpen();
        String id = Ids.next("proc");
        long limit =
                spec.outputLimit() != null ? spec.outputLimit() : env.settings().outputLimit();
        BackgroundRun process;
        try {
            process = BackgroundRun.start(
                    id,
                    spec.command(),
                    limit,
                    () -> env.start(
                            List.of("/bin/sh", "-c", spec.command()),
                            env.environment(spec.env()),
                            env.cwd(spec.cwd()),
                            Confinement.Use.PROCESS,
                            false),
                    processes::remove);
        } catch (IOException e) {
            throw new dev.exxec.ExxecException(
                    "could not start background process '" + spec.command() + "': " + e.getMessage(), e);
        }
        processes.put(id, process);
        if (env.isClosed()) { // closed while it started: it must not outlive the environment
            process.kill();
        }
        return process;
    }

    @Override
    public List<BackgroundProcess> list() {
        env.ensureOpen();
        return new ArrayList<>(processes.values());
    }

    @Override
    public Optional<BackgroundProcess> get(String id) {
        env.ensureOpen();
        return Optional.ofNullable(processes.get(id));
    }

    void killAll() {
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
