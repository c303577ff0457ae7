package dev.exxec.testkit;

import dev.exxec.ExecutionEnvironment;
import java.util.Optional;

/**
 * Looks at the machine where an environment's code runs: whether a process is alive, whether a path
 * exists. The kit uses it to prove that deadlines, kills and {@code close()} leave nothing behind.
 *
 * <p>For environments on the caller's host, {@link #localHost()}; a remote or containerised provider
 * supplies its own (for example through a second, independent connection). Thread-safe.
 */
public interface HostProbe {

    /**
     * Whether the process with this id in the probe's own PID namespace exists and has not ended (a
     * zombie counts as ended). For ids an API returned on this side, such as {@code
     * BackgroundProcess.pid()}; what code printed about itself is a {@link ProcessRef}.
     */
    boolean isAlive(long pid);

    /**
     * Whether the process exists and has not ended (a zombie counts as ended), looked up in its own
     * PID namespace; an unknown namespace means the probe's own, as {@link #isAlive(long)}. A
     * namespace that holds no process any more has ended with all its processes.
     *
     * <p>A probe that cannot tell must say so by throwing ({@link UnsupportedOperationException}), not
     * report a live process as ended. Namespace names are reused once a namespace is gone, so an ended
     * process may be reported alive when a new namespace took its name and number, never the other
     * way round.
     */
    boolean isAlive(ProcessRef process);

    /** Whether something exists at this absolute path (a dangling symbolic link counts). */
    boolean exists(String path);

    /**
     * Where the probe's machine holds an environment's workspace, as a path {@link #exists} takes,
     * when the probe knows it (for example the volume of a container, asked of its daemon); empty
     * lets the kit search for it, and use the path the code sees when the search finds nothing.
     */
    default Optional<String> workspace(ExecutionEnvironment env) {
        return Optional.empty();
    }

    /** The probe of this JVM's own machine: {@code /proc} where there is one, else {@link ProcessHandle}. */
    static HostProbe localHost() {
        return LocalHostProbe.INSTANCE;
    }
}
