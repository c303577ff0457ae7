package dev.exxec.spi;

import dev.exxec.ExecutionResult;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * A started process as {@link ExecutionRun} sees it, wherever it runs: a host process, an exec in a
 * container, a remote channel. Implementations are thread-safe.
 */
public interface ExecProcess {

    /** The process id where known. */
    @Nullable
    Long pid();

    /** Its standard output. */
    InputStream stdout();

    /** Its standard error. */
    InputStream stderr();

    /** Its standard input. */
    OutputStream stdin();

    /**
     * Waits for the process to exit.
     *
     * @param timeout how long to wait; {@link Duration#ZERO} waits without limit
     * @return whether it exited
     */
    boolean waitFor(Duration timeout) throws InterruptedException;

    /** Its exit code once exited; 128 + n when signal n ended it. */
    int exitCode();

    /**
     * Kills the process and everything it started, and returns once they are gone (or a bounded wait
     * passed). Idempotent; may be called from any thread, also after the process exited.
     */
    void kill();

    /**
     * Called once after a normal end: removes what the process may have left running. May work
     * asynchronously. The default kills.
     */
    default void release() {
        kill();
    }

    /** Closes the streams so blocked readers return; used when leftovers keep them open. */
    void closeStreams();

    /**
     * Called once the process has ended, however it ended, with the result as the run sees it: a
     * provider may refine it with what only it knows (a sandbox's memory limit killed the code) and
     * release what the process held. The default returns it unchanged.
     */
    default ExecutionResult conclude(ExecutionResult result) {
        return result;
    }
}
