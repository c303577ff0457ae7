package dev.exxec.ssh;

import dev.exxec.BackgroundProcess;
import dev.exxec.ExxecException;
import dev.exxec.ProcessSpec;
import dev.exxec.Processes;
import dev.exxec.internal.Ids;
import dev.exxec.spi.BackgroundRun;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Background processes on the host: each a channel through run.sh, killed as a whole. */
final class RemoteProcesses implements Processes {
    private final RemoteEnvironment env;
    private final Map<String, BackgroundRun> processes = new ConcurrentHashMap<>();

    RemoteProcesses(RemoteEnvironment env) {
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
                            null,
                            null),
                    processes::remove);
        } catch (java.io.IOException | RuntimeException e) {
            throw new ExxecException(
                    "could not start background process '" + spec.command() + "': " + e.getMessage(), e);
        }
        processes.put(id, process);
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
}
