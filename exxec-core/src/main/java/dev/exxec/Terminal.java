package dev.exxec;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * A pseudo-terminal running a shell or command in an environment, opened by {@link Terminals#open}.
 *
 * <p>Input goes in with {@link #write}; everything the terminal shows (with its escape sequences)
 * comes out of {@link #output()}. Killed with everything it started on {@link #kill()}, {@link
 * #close()} or when the environment closes. Thread-safe, but {@link #output()} is one stream: read it
 * from one thread at a time.
 */
public interface Terminal extends AutoCloseable {

    /** Its id, unique in the environment. */
    String id();

    /** Its process id where the environment knows it. */
    OptionalLong pid();

    /** Sends bytes as if typed. */
    void write(byte[] input);

    /** Sends UTF-8 text as if typed ({@code "\n"} is Enter, {@code "\u0003"} is Ctrl-C). */
    default void write(String input) {
        write(input.getBytes(StandardCharsets.UTF_8));
    }

    /** What the terminal shows, as it comes; ends when the terminal's process has ended. */
    InputStream output();

    /**
     * Reads output until the text read so far contains {@code expected} or {@code timeout} passes.
     *
     * @return everything read by this call (UTF-8, escapes included)
     * @throws ExxecException when {@code expected} did not show up in time or the terminal ended first;
     *     the message carries what was read
     */
    String readUntil(String expected, Duration timeout);

    /** Changes its size; the program on it gets {@code SIGWINCH}. */
    void resize(TerminalSize size);

    /** Its current size. */
    TerminalSize size();

    /** Whether its process still runs. */
    boolean isAlive();

    /**
     * Waits until its process ends or {@code timeout} passes.
     *
     * @return the exit code, or empty when it still runs
     * @throws InterruptedException when the waiting thread is interrupted
     */
    OptionalInt waitFor(Duration timeout) throws InterruptedException;

    /** Kills its process and everything started on it; idempotent. */
    void kill();

    /** Same as {@link #kill()}. */
    @Override
    default void close() {
        kill();
    }
}
