package dev.exxec.testkit;

/**
 * Looks at the machine where an environment's code runs: whether a process is alive, whether a path
 * exists. The kit uses it to prove that deadlines, kills and {@code close()} leave nothing behind.
 *
 * <p>For environments on the caller's host, {@link #localHost()}; a remote or containerised provider
 * supplies its own (for example through a second, independent connection). Thread-safe.
 */
public interface HostProbe {

    /** Whether the process with this id exists and has not ended (a zombie counts as ended). */
    boolean isAlive(long pid);

    /** Whether something exists at this absolute path (a dangling symbolic link counts). */
    boolean exists(String path);

    /** The probe of this JVM's own machine: {@code /proc} where there is one, else {@link ProcessHandle}. */
    static HostProbe localHost() {
        return LocalHostProbe.INSTANCE;
    }
}
