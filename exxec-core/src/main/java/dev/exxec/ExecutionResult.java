package dev.exxec;

import dev.exxec.internal.Json;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What an execution of code or a command produced. A failure of the user's code is data here, never
 * an exception.
 *
 * <p>For code, {@link #result()} is the value returned by {@code main()} (awaited when async) or, when
 * the code defines no {@code main}, the value of {@code _result}. JSON values arrive as plain Java
 * values: {@code Map<String, Object>}, {@code List<Object>}, {@code String}, {@code Integer}/{@code
 * Long}/{@code BigInteger}, {@code Double}, {@code Boolean} or {@code null}; collections are
 * unmodifiable. A value that JSON cannot represent arrives as its text form (Python's {@code repr},
 * JavaScript's {@code util.inspect}) with its type name in {@link #resultType()}.
 *
 * <p>Whether exxec ended the call (its deadline, its output limit, a cancellation, the memory limit)
 * is {@link #stoppedBy()}, which only exxec sets. {@link #errorType()} alone cannot tell it: the code
 * reports its own failures there, and may name them as it likes (Python has a {@code TimeoutError}).
 *
 * @param success {@code true} when the code ran to completion without an exception (for commands:
 *     exit code 0)
 * @param result the returned value, or {@code null}
 * @param resultType the language's type name when {@code result} is the text form of a value JSON
 *     cannot represent (for example {@code set}, {@code bigint}), else {@code null}
 * @param stdout everything written to standard output, never the result record; at most the
 *     environment's output limit
 * @param stderr everything written to standard error, at most the output limit
 * @param exitCode the process's exit code; 128 + n when a signal n ended it
 * @param duration wall time of the call
 * @param error the error message when {@code success} is false, else {@code null}
 * @param errorType the language's exception class name ({@code ValueError}, {@code TypeError},
 *     {@code SyntaxError}...) or one of {@link ErrorTypes} when {@code success} is false; the code's
 *     own claim unless {@code stoppedBy} is set
 * @param traceback the stack trace of the exception, without exxec's own frames, or {@code null}
 * @param stdoutTruncated whether standard output exceeded the limit and was cut
 * @param stderrTruncated whether standard error exceeded the limit and was cut
 * @param outputs values and figures the code displayed, in order (sessions report them; empty
 *     otherwise)
 * @param stoppedBy what exxec itself did to end the call, with {@code errorType} its {@link
 *     Stop#errorType()}; {@code null} when the call ended by itself. Set by exxec from what it knows
 *     on its own side, never read from anything the code wrote (output, result records, files), so a
 *     program cannot make its result look like exxec stopped it
 */
public record ExecutionResult(
        boolean success,
        @Nullable Object result,
        @Nullable String resultType,
        String stdout,
        String stderr,
        int exitCode,
        Duration duration,
        @Nullable String error,
        @Nullable String errorType,
        @Nullable String traceback,
        boolean stdoutTruncated,
        boolean stderrTruncated,
        java.util.List<RichOutput> outputs,
        @Nullable Stop stoppedBy) {

    /**
     * Validates the components.
     *
     * @throws IllegalArgumentException when a failed result has no error type, or a stop comes with
     *     success or with another error type than its own
     */
    public ExecutionResult {
        outputs = java.util.List.copyOf(outputs);
        Objects.requireNonNull(stdout, "stdout");
        Objects.requireNonNull(stderr, "stderr");
        Objects.requireNonNull(duration, "duration");
        if (!success && errorType == null) {
            throw new IllegalArgumentException("a failed result needs an errorType");
        }
        if (stoppedBy != null && (success || !stoppedBy.errorType().equals(errorType))) {
            throw new IllegalArgumentException("a result stopped by " + stoppedBy + " fails with errorType "
                    + stoppedBy.errorType() + ", not success=" + success + ", errorType=" + errorType);
        }
    }

    /** The result value as JSON text ({@code null} becomes {@code "null"}). */
    public String resultJson() {
        return Json.write(result);
    }

    /**
     * The result value converted to {@code type} (a record, a bean, a collection...) with Jackson.
     *
     * @throws IllegalArgumentException when the value does not fit the type
     */
    public <T> @Nullable T resultAs(Class<T> type) {
        return Json.convert(result, type);
    }

    /** A builder, for providers and tests. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this result's values. */
    public Builder toBuilder() {
        return new Builder()
                .success(success)
                .result(result, resultType)
                .stdout(stdout)
                .stderr(stderr)
                .exitCode(exitCode)
                .duration(duration)
                .error(error, errorType, traceback)
                .stdoutTruncated(stdoutTruncated)
                .stderrTruncated(stderrTruncated)
                .outputs(outputs)
                .stoppedBy(stoppedBy);
    }

    /** Builds {@link ExecutionResult}s; not thread-safe. */
    public static final class Builder {
        private boolean success;
        private @Nullable Object result;
        private @Nullable String resultType;
        private String stdout = "";
        private String stderr = "";
        private int exitCode;
        private Duration duration = Duration.ZERO;
        private @Nullable String error;
        private @Nullable String errorType;
        private @Nullable String traceback;
        private boolean stdoutTruncated;
        private boolean stderrTruncated;
        private java.util.List<RichOutput> outputs = java.util.List.of();
        private @Nullable Stop stoppedBy;

        private Builder() {}

        public Builder success(boolean success) {
            this.success = success;
            return this;
        }

        public Builder result(@Nullable Object result, @Nullable String resultType) {
            this.result = result;
            this.resultType = resultType;
            return this;
        }

        public Builder stdout(String stdout) {
            this.stdout = stdout;
            return this;
        }

        public Builder stderr(String stderr) {
            this.stderr = stderr;
            return this;
        }

        public Builder exitCode(int exitCode) {
            this.exitCode = exitCode;
            return this;
        }

        public Builder duration(Duration duration) {
            this.duration = duration;
            return this;
        }

        /** Marks the result failed with a message, an error type and an optional traceback. */
        public Builder error(@Nullable String error, @Nullable String errorType, @Nullable String traceback) {
            this.error = error;
            this.errorType = errorType;
            this.traceback = traceback;
            return this;
        }

        public Builder stdoutTruncated(boolean truncated) {
            this.stdoutTruncated = truncated;
            return this;
        }

        public Builder stderrTruncated(boolean truncated) {
            this.stderrTruncated = truncated;
            return this;
        }

        /** The values and figures the code displayed. */
        public Builder outputs(java.util.List<RichOutput> outputs) {
            this.outputs = java.util.List.copyOf(outputs);
            return this;
        }

        /**
         * What exxec did to end the call, or {@code null}: for exxec's own code, from what it knows on
         * its side, never from anything the program wrote. {@link #stopped} sets the error with it.
         */
        public Builder stoppedBy(@Nullable Stop stoppedBy) {
            this.stoppedBy = stoppedBy;
            return this;
        }

        /**
         * Marks the result as ended by exxec: failed, with the stop's error type, a message and an
         * optional traceback.
         */
        public Builder stopped(Stop stop, String message, @Nullable String traceback) {
            this.success = false;
            this.stoppedBy = Objects.requireNonNull(stop, "stop");
            return error(message, stop.errorType(), traceback);
        }

        public ExecutionResult build() {
            return new ExecutionResult(
                    success,
                    result,
                    resultType,
                    stdout,
                    stderr,
                    exitCode,
                    duration,
                    error,
                    errorType,
                    traceback,
                    stdoutTruncated,
                    stderrTruncated,
                    outputs,
                    stoppedBy);
        }
    }
}
