package dev.exxec.cli;

import java.io.PrintStream;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * A one-line note on a terminal's stderr while exxec waits for something that may take a while
 * (an environment starting, a call's first output): shown once the wait has lasted {@link #DELAY},
 * erased ({@code \r ESC[K}) when it ends, so that nothing of it stays in the scrollback. Nothing at
 * all when stderr is not a terminal, or when the wait is short.
 *
 * <p>The caller closes it before it prints anything else; closing is idempotent and waits for no one.
 */
final class Progress implements AutoCloseable {
    /** How long a wait lasts before the note appears. */
    static final Duration DELAY = Duration.ofSeconds(1);

    private static final Progress NONE = new Progress(null, "", Duration.ZERO);

    private final @Nullable PrintStream err;
    private final String message;
    private final @Nullable Thread timer;
    private boolean shown;
    private boolean closed;

    private Progress(@Nullable PrintStream err, String message, Duration delay) {
        this.err = err;
        this.message = message;
        if (err == null) {
            this.timer = null;
            this.closed = true;
            return;
        }
        // A platform thread: it writes to a terminal, which can block (a paused terminal), and a
        // virtual thread blocked in a file write would hold its carrier.
        this.timer = Thread.ofPlatform().daemon().name("exxec-progress").unstarted(() -> {
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                return; // the wait ended first
            }
            show();
        });
    }

    /**
     * Starts the note's clock.
     *
     * @param io the invocation's streams; without a terminal on stderr nothing is ever printed
     * @param message what exxec waits for, as in "starting the docker container"
     */
    static Progress start(StdIo io, String message) {
        return start(io, message, DELAY);
    }

    static Progress start(StdIo io, String message, Duration delay) {
        if (!io.tty().stderr()) {
            return NONE;
        }
        Progress p = new Progress(io.err(), message, delay);
        java.util.Objects.requireNonNull(p.timer).start();
        return p;
    }

    private synchronized void show() {
        if (closed || err == null) {
            return;
        }
        err.print("exxec: " + message + "\u2026");
        err.flush();
        shown = true;
    }

    /** Ends the wait: the note, if shown, is erased. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            if (shown && err != null) {
                err.print("\r\033[K");
                err.flush();
            }
        }
        if (timer != null) {
            timer.interrupt();
        }
    }
}
