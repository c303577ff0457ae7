package dev.exxec;

import java.time.Duration;
import java.util.Optional;

/**
 * The live events of one execution, in order. Single use: iterate it once, from one thread.
 *
 * <p>Closing the stream before the terminal event cancels the execution and kills everything it
 * started; closing it afterwards does nothing. Always close it, with try-with-resources:
 *
 * {@snippet :
 * try (EventStream events = env.stream(Code.python("for i in range(3): print(i)"))) {
 *     for (ExecutionEvent e : events) {
 *         if (e instanceof ExecutionEvent.Output o) System.out.print(o.text());
 *     }
 * }
 * }
 *
 * The iterator blocks until the next event arrives and ends after the terminal event. Interrupting
 * the iterating thread cancels the execution and ends the iteration.
 */
public interface EventStream extends Iterable<ExecutionEvent>, AutoCloseable {

    /** The execution's id. */
    String id();

    /**
     * The next event, waiting at most {@code timeout}; empty when none arrived in time or the
     * terminal event was already taken.
     *
     * @throws InterruptedException when the waiting thread is interrupted (the execution continues)
     */
    Optional<ExecutionEvent> next(Duration timeout) throws InterruptedException;

    /**
     * Consumes the remaining events and returns the final result, as {@code execute} would have.
     *
     * @throws ExecutionCancelledException when the calling thread is interrupted (the execution is
     *     cancelled) or the stream was closed before the end
     */
    ExecutionResult result();

    /** Cancels the execution if it is still running; idempotent. */
    @Override
    void close();
}
