package dev.exxec;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Something that happened during one execution, delivered by an {@link EventStream} as it happens.
 *
 * <p>Every execution yields exactly one {@link Started} first, any number of {@link Output} events,
 * then exactly one terminal event: {@link Completed} or {@link Failed}. All events of one execution
 * carry the same {@link #id()}, unique among all executions.
 */
public sealed interface ExecutionEvent {

    /** The execution's id. */
    String id();

    /** Whether this event is the last one of its execution. */
    default boolean isTerminal() {
        return this instanceof Completed || this instanceof Failed;
    }

    /**
     * The execution started.
     *
     * @param id the execution's id
     * @param command what runs: the interpreter for code, the command line for commands
     * @param pid the process id where the environment knows it, else {@code null}
     */
    record Started(String id, String command, @Nullable Long pid) implements ExecutionEvent {
        public Started {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(command, "command");
        }
    }

    /**
     * A piece of output: a line with its line break, or the chunk written so far when a line stays
     * unfinished. The texts of one stream concatenated are that stream's output.
     *
     * @param id the execution's id
     * @param stream the stream it was written to
     * @param text the text, invalid UTF-8 replaced by U+FFFD
     */
    record Output(String id, StdStream stream, String text) implements ExecutionEvent {
        public Output {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(stream, "stream");
            Objects.requireNonNull(text, "text");
        }
    }

    /**
     * The execution succeeded.
     *
     * @param id the execution's id
     * @param exitCode the exit code (0)
     * @param duration wall time
     * @param result the whole result, as {@code execute} would have returned it
     */
    record Completed(String id, int exitCode, Duration duration, ExecutionResult result) implements ExecutionEvent {
        public Completed {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(duration, "duration");
            Objects.requireNonNull(result, "result");
        }
    }

    /**
     * The execution failed: an exception in the code, a non-zero exit, a deadline, a cancellation.
     *
     * @param id the execution's id
     * @param error the message
     * @param errorType the exception class name or one of {@link ErrorTypes}
     * @param exitCode the exit code
     * @param result the whole result, as {@code execute} would have returned it
     */
    record Failed(String id, String error, String errorType, int exitCode, ExecutionResult result)
            implements ExecutionEvent {
        public Failed {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(error, "error");
            Objects.requireNonNull(errorType, "errorType");
            Objects.requireNonNull(result, "result");
        }
    }
}
