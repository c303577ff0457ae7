package dev.exxec.internal;

import dev.exxec.EventStream;
import dev.exxec.ExecutionCancelledException;
import dev.exxec.ExecutionEvent;
import dev.exxec.ExecutionResult;
import dev.exxec.Stop;
import dev.exxec.spi.EventSink;
import java.time.Duration;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * An {@link EventStream} fed by a producer on another thread through a bounded queue: a slow reader
 * slows the producer (and so the process, whose pipe fills) instead of growing memory.
 */
public final class QueueEventStream implements EventStream, EventSink {
    private static final int CAPACITY = 1024;

    private final String id;
    private final BlockingQueue<ExecutionEvent> queue = new ArrayBlockingQueue<>(CAPACITY);
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Runnable cancel;
    private volatile boolean terminalQueued;
    private volatile @Nullable RuntimeException failure;
    private boolean terminalTaken;
    private @Nullable ExecutionResult finalResult;

    /**
     * @param id the execution id
     * @param cancel stops the producer and kills what it started; called at most once, on an early close
     */
    public QueueEventStream(String id, Runnable cancel) {
        this.id = id;
        this.cancel = cancel;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public void emit(ExecutionEvent event) {
        if (terminalQueued) {
            return; // nothing follows the terminal event
        }
        if (event.isTerminal()) {
            terminalQueued = true;
        }
        try {
            while (!closed.get()) {
                if (queue.offer(event, 50, TimeUnit.MILLISECONDS)) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Ends the stream with an exception instead of a terminal event: the call was misused or the
     * environment failed (a bad working directory, a closed environment). The reader gets it thrown,
     * as {@code execute} would have thrown it.
     */
    public void fail(RuntimeException e) {
        failure = e;
        terminalQueued = true;
    }

    private void rethrowFailure() {
        RuntimeException e = failure;
        if (e != null && queue.isEmpty()) {
            terminalTaken = true;
            throw e;
        }
    }

    @Override
    public Optional<ExecutionEvent> next(Duration timeout) throws InterruptedException {
        if (terminalTaken) {
            return Optional.empty();
        }
        rethrowFailure();
        ExecutionEvent e = queue.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (e != null && e.isTerminal()) {
            taken(e);
        }
        return Optional.ofNullable(e);
    }

    private void taken(ExecutionEvent terminal) {
        terminalTaken = true;
        finalResult = switch (terminal) {
            case ExecutionEvent.Completed c -> c.result();
            case ExecutionEvent.Failed f -> f.result();
            default -> null;
        };
    }

    private ExecutionEvent take() {
        try {
            ExecutionEvent e;
            do {
                if (closed.get() && queue.isEmpty()) {
                    throw new ExecutionCancelledException("the event stream of " + id + " was closed");
                }
                rethrowFailure();
                e = queue.poll(50, TimeUnit.MILLISECONDS);
            } while (e == null);
            if (e.isTerminal()) {
                taken(e);
            }
            return e;
        } catch (InterruptedException ie) {
            close();
            Thread.currentThread().interrupt();
            throw new ExecutionCancelledException("interrupted while waiting for events of " + id, ie);
        }
    }

    @Override
    public Iterator<ExecutionEvent> iterator() {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return !terminalTaken;
            }

            @Override
            public ExecutionEvent next() {
                if (terminalTaken) {
                    throw new NoSuchElementException("the execution " + id + " has ended");
                }
                return take();
            }
        };
    }

    @Override
    public ExecutionResult result() {
        while (!terminalTaken) {
            take();
        }
        ExecutionResult r = finalResult;
        if (r == null || r.stoppedBy() == Stop.CANCELLATION && closed.get()) {
            throw new ExecutionCancelledException("the event stream of " + id + " was closed before the end");
        }
        return r;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            if (!terminalQueued) {
                cancel.run();
            }
            queue.clear();
        }
    }
}
