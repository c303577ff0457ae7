package dev.exxec.spi;

import dev.exxec.ProcessOutput;
import dev.exxec.StdStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The output of a long-running process: text pieces in the order they were read, tagged with their
 * stream, keeping the most recent {@code limit} bytes per stream. Readers follow it with a cursor and
 * can wait for more. Thread-safe.
 */
public final class OutputLog {

    /** One piece of output with its position in the log. */
    public record Piece(long index, StdStream stream, String text) {}

    private record Stored(long index, StdStream stream, String text, int bytes) {}

    private final long limit;
    private final ArrayDeque<Stored> pieces = new ArrayDeque<>();
    private final long[] bytesKept = new long[2];
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private long nextIndex;
    private boolean dropped;
    private boolean closed;

    public OutputLog(long limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be positive: " + limit);
        }
        this.limit = limit;
    }

    /** Appends a piece of text read from {@code stream}. */
    public void append(StdStream stream, String text) {
        int bytes = text.getBytes(StandardCharsets.UTF_8).length;
        lock.lock();
        try {
            pieces.addLast(new Stored(nextIndex++, stream, text, bytes));
            bytesKept[stream.ordinal()] += bytes;
            while (bytesKept[stream.ordinal()] > limit) {
                // Drop the oldest piece of this stream (usually the oldest piece of all).
                Stored oldest = null;
                for (Stored s : pieces) {
                    if (s.stream == stream) {
                        oldest = s;
                        break;
                    }
                }
                if (oldest == null) {
                    break;
                }
                pieces.remove(oldest);
                bytesKept[stream.ordinal()] -= oldest.bytes;
                dropped = true;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Marks the end: no more pieces will come; waiting readers return. */
    public void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    /** What is kept now. */
    public ProcessOutput snapshot() {
        lock.lock();
        try {
            StringBuilder out = new StringBuilder();
            StringBuilder err = new StringBuilder();
            StringBuilder all = new StringBuilder();
            for (Stored s : pieces) {
                (s.stream == StdStream.STDOUT ? out : err).append(s.text);
                all.append(s.text);
            }
            return new ProcessOutput(out.toString(), err.toString(), all.toString(), dropped);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The pieces from index {@code from} on (older ones that were dropped are skipped), waiting up to
     * {@code timeout} when there are none yet. Empty when none came in time or the log is closed and
     * fully read.
     */
    public List<Piece> read(long from, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (true) {
                List<Piece> found = new ArrayList<>();
                for (Stored s : pieces) {
                    if (s.index >= from) {
                        found.add(new Piece(s.index, s.stream, s.text));
                    }
                }
                if (!found.isEmpty() || closed) {
                    return found;
                }
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return found;
                }
                changed.awaitNanos(Math.min(remaining, TimeUnit.SECONDS.toNanos(1)));
            }
        } finally {
            lock.unlock();
        }
    }

    /** The index the next piece will get. */
    public long end() {
        lock.lock();
        try {
            return nextIndex;
        } finally {
            lock.unlock();
        }
    }
}
