package dev.exxec.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Closes every environment still open when the JVM shuts down, so that a normal exit, Ctrl-C or
 * SIGTERM leaves no process, container or directory behind. (SIGKILL cannot be caught; providers
 * with remote or long-lived resources sweep on start as well.)
 */
public final class Reaper {
    private static final Set<AutoCloseable> OPEN = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(Reaper::closeAll, "exxec-reaper"));
    }

    private Reaper() {}

    /** Registers a resource to close at shutdown. */
    public static void register(AutoCloseable resource) {
        OPEN.add(resource);
    }

    /** Forgets a resource that was closed. */
    public static void unregister(AutoCloseable resource) {
        OPEN.remove(resource);
    }

    private static void closeAll() {
        List<Thread> closers = new ArrayList<>();
        for (AutoCloseable resource : List.copyOf(OPEN)) {
            // In parallel: shutdown hooks should be quick, and each close may wait on processes.
            closers.add(Thread.ofPlatform().start(() -> {
                try {
                    resource.close();
                } catch (Exception e) {
                    // best effort at shutdown: nothing left to report to
                }
            }));
        }
        for (Thread t : closers) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }
}
