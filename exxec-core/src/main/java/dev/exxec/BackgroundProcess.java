package dev.exxec;

import java.time.Duration;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * A process running in the background of an environment, started by {@link Processes#start}.
 *
 * <p>It runs where the environment runs and is killed, with everything it started, when it is
 * {@linkplain #kill() killed} or closed, or when its environment closes. Its output is kept up to the
 * output limit (the most recent bytes win). Thread-safe.
 */
public interface BackgroundProcess extends AutoCloseable {

    /** Its id, unique in the environment. */
    String id();

    /** The command line it runs. */
    String command();

    /** Its process id where the environment knows it. */
    OptionalLong pid();

    /** Whether it is still running. */
    boolean isAlive();

    /** Its exit code once it ended (128 + n when signal n ended it). */
    OptionalInt exitCode();

    /**
     * Waits until it ends or {@code timeout} passes.
     *
     * @return the exit code, or empty when it still runs
     * @throws InterruptedException when the waiting thread is interrupted (the process keeps running)
     */
    OptionalInt waitFor(Duration timeout) throws InterruptedException;

    /** Its output so far. */
    ProcessOutput output();

    /**
     * Its output as events: {@code Started}, the kept output so far, then live output, then {@code
     * Completed} or {@code Failed} when it ends. Closing the stream does not stop the process. Any
     * number of streams may be open at once.
     */
    EventStream events();

    /** Writes to its standard input. */
    void write(byte[] input);

    /** Writes UTF-8 text to its standard input. */
    default void write(String input) {
        write(input.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Closes its standard input (it then reads end of file). */
    void closeStdin();

    /** Kills it and everything it started, and waits until they are gone; idempotent. */
    void kill();

    /** Same as {@link #kill()}. */
    @Override
    default void close() {
        kill();
    }
}
