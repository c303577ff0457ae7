package dev.exxec;

/**
 * What exxec itself did to end a call: {@link ExecutionResult#stoppedBy()}. exxec sets it only from
 * what it knows on its own side (its clock, its count of the output, the caller's cancellation, the
 * kernel's count of memory-limit kills read where the code cannot write), never from anything the
 * code wrote. An error type alone cannot tell this: a program may raise Python's own {@code
 * TimeoutError}, or write a result record that reads exactly like exxec's timeout.
 *
 * <p>Each stop comes with its error type of {@link ErrorTypes}, set together with it.
 */
public enum Stop {
    /** The call reached its deadline: exxec killed everything it started, or interrupted a session's call. */
    DEADLINE(ErrorTypes.TIMEOUT),

    /** The output exceeded the limit and the environment stops calls then: exxec killed the call. */
    OUTPUT_LIMIT(ErrorTypes.OUTPUT_LIMIT),

    /**
     * The call was cancelled (its thread interrupted, its event stream closed early, its environment
     * closed): exxec killed everything it started.
     */
    CANCELLATION(ErrorTypes.CANCELLED),

    /**
     * The memory limit exxec set was reached and the kernel killed the code, as the kernel's own count
     * of such kills says (the cgroup's or the container's, read on exxec's side).
     */
    MEMORY_LIMIT(ErrorTypes.MEMORY_LIMIT);

    private final String errorType;

    Stop(String errorType) {
        this.errorType = errorType;
    }

    /** The {@link ExecutionResult#errorType()} that goes with this stop. */
    public String errorType() {
        return errorType;
    }
}
