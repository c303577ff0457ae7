package dev.exxec.cli;

/**
 * Whether the JVM is shutting down (Ctrl-C, SIGTERM). exxec's own shutdown hook then closes the
 * environment, which kills what runs; the half-finished call that returns must not be reported as
 * an error of the user's code.
 */
final class Shutdown {
    private static volatile boolean started;

    private Shutdown() {}

    /** Installs the hook that notices shutdown; called once, by {@link Main#main}. */
    static void watch() {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> started = true, "exxec-cli-shutdown"));
    }

    /** Whether shutdown has begun. */
    static boolean started() {
        return started;
    }
}
