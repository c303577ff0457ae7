package dev.exxec;

/**
 * The {@link ExecutionResult#errorType()} values that exxec itself assigns, beside the languages' own
 * exception class names.
 *
 * <p>A name alone does not prove that exxec assigned it: a program's own exception or result may
 * carry the same name (Python has a {@code TimeoutError}). Where exxec ended the call, {@link
 * ExecutionResult#stoppedBy()} says so, with {@link #TIMEOUT}, {@link #OUTPUT_LIMIT}, {@link
 * #CANCELLED} or {@link #MEMORY_LIMIT}; that component is never read from anything the code wrote.
 */
public final class ErrorTypes {
    /** The call reached its deadline; everything it started was killed. */
    public static final String TIMEOUT = "TimeoutError";

    /** Output exceeded the limit and the environment is configured to stop the call then. */
    public static final String OUTPUT_LIMIT = "OutputLimitError";

    /** The process ended with a non-zero exit code and no exception record (commands, crashes, kills). */
    public static final String PROCESS_EXIT = "ProcessExitError";

    /** The environment's memory limit was reached and the kernel killed the code. */
    public static final String MEMORY_LIMIT = "MemoryLimitError";

    /** The CPU time limit was reached ({@code SIGXCPU}). */
    public static final String CPU_TIME_LIMIT = "CpuTimeLimitError";

    /** A file reached the file size limit and the process was killed ({@code SIGXFSZ}). */
    public static final String FILE_SIZE_LIMIT = "FileSizeLimitError";

    /** The call was cancelled: its event stream was closed early or its thread interrupted. */
    public static final String CANCELLED = "CancelledError";

    private ErrorTypes() {}
}
