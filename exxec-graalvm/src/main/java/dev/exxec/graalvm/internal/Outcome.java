package dev.exxec.graalvm.internal;

import org.jspecify.annotations.Nullable;

/** How a guest program ended, as its driver reported it. */
public sealed interface Outcome {

    /**
     * It returned a value.
     *
     * @param value the value as plain Java (see {@link dev.exxec.ExecutionResult#result()})
     * @param type the language's type name when {@code value} is the text form of a non-JSON value
     */
    record Ok(@Nullable Object value, @Nullable String type) implements Outcome {}

    /**
     * It raised an exception.
     *
     * @param message the exception's message
     * @param type the exception's class name
     * @param traceback the stack trace from the program's first frame, or {@code null}
     */
    record Failure(String message, String type, @Nullable String traceback) implements Outcome {}

    /**
     * It exited ({@code sys.exit}, {@code process.exit}, {@code os._exit}).
     *
     * @param code the exit code
     * @param errorType the error type of a non-zero exit ({@code SystemExit} in Python)
     * @param message what a non-zero exit's error says (a {@code SystemExit}'s code as text, as the
     *     process drivers report it), or {@code null} for "the program exited with exit code N"
     */
    record Exit(int code, String errorType, @Nullable String message) implements Outcome {
        /** An exit without a message of its own: the result says its code. */
        public Exit(int code, String errorType) {
            this(code, errorType, null);
        }
    }

    /** Its exit code as a process would have reported it. */
    default int exitCode() {
        return switch (this) {
            case Ok ok -> 0;
            case Failure failure -> 1;
            case Exit exit -> exit.code();
        };
    }
}
