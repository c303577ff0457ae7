package dev.exxec.internal;

import java.util.concurrent.ThreadFactory;

/**
 * Daemon platform threads for blocking reads and writes of pipes, FIFOs, pseudo-terminals and files:
 * the streams of processes, which may stay quiet for as long as the process runs.
 *
 * <p>A virtual thread blocked in such a read holds its carrier for the whole wait. The scheduler has
 * as many carriers as CPUs (and spares that retire after 30 s of quiet): as many quiet processes as
 * CPUs would leave no carrier to run any virtual thread of the JVM, deadlines and servers included
 * (issue 14). Virtual threads stay for socket I/O and for waiting (locks, futures, sleeps, {@code
 * Process.waitFor}), which unmount.
 *
 * <p>A fresh thread per stream rather than a pool: each one belongs to a process, whose start costs
 * far more than the thread's; it ends with the stream, so an idle JVM keeps none, and a thread's name
 * says whose stream it reads. Every thread is a daemon: a reader left blocked never keeps the JVM up.
 */
public final class PlatformThreads {
    private PlatformThreads() {}

    /** Starts {@code task} on a new daemon platform thread named {@code name}. */
    public static Thread start(String name, Runnable task) {
        return Thread.ofPlatform().daemon().name(name).start(task);
    }

    /** Makes daemon platform threads named {@code name}, for an executor. */
    public static ThreadFactory factory(String name) {
        return Thread.ofPlatform().daemon().name(name).factory();
    }
}
