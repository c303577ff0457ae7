package dev.exxec.spi;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Calls that ended normally and whose leftovers (a child still running, a daemon that detached) have
 * not been swept yet, for providers that kill by pid and start time in another place (a container,
 * a remote host). The next call takes them ({@link #take()}) and sweeps them before its command
 * starts, costing no round trip of its own; when no call comes within the delay, they are swept on
 * their own. Thread-safe.
 */
public final class LeftoverCalls {
    private final Duration delay;
    private final Consumer<List<long[]>> sweep;
    private final String threadName;
    private final List<long[]> calls = new ArrayList<>();
    private boolean scheduled;

    /**
     * @param delay how long leftovers wait for a call to take them
     * @param sweep kills the given calls ({pid, start time} each) and returns when they are gone
     */
    public LeftoverCalls(Duration delay, Consumer<List<long[]>> sweep, String threadName) {
        this.delay = delay;
        this.sweep = sweep;
        this.threadName = threadName;
    }

    /** A call that ended: what it left goes with the next call, or after the delay. */
    public synchronized void add(long pid, long startTime) {
        calls.add(new long[] {pid, startTime});
        if (!scheduled) {
            scheduled = true;
            Thread.ofVirtual().name(threadName).start(this::sweepLater);
        }
    }

    /** The calls to sweep, as the run scripts take them ({@code pid:start,...}, {@code -} for none); taken. */
    public synchronized String take() {
        if (calls.isEmpty()) {
            return "-";
        }
        StringBuilder arg = new StringBuilder();
        for (long[] call : calls) {
            arg.append(arg.isEmpty() ? "" : ",").append(call[0]).append(':').append(call[1]);
        }
        calls.clear();
        return arg.toString();
    }

    private void sweepLater() {
        try {
            Thread.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<long[]> due;
        synchronized (this) {
            due = List.copyOf(calls);
            calls.clear();
            scheduled = false;
        }
        if (!due.isEmpty()) {
            sweep.accept(due);
        }
    }
}
