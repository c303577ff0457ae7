package dev.exxec;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Resource limits an environment really enforces on the code it runs; {@code null} means not
 * enforced.
 *
 * @param memoryBytes memory of one execution (all its processes)
 * @param processes number of processes or threads
 * @param cpuTime CPU time of one process
 * @param fileSizeBytes size of one written file
 * @param openFiles open file descriptors of one process
 */
public record ResourceLimits(
        @Nullable Long memoryBytes,
        @Nullable Integer processes,
        @Nullable Duration cpuTime,
        @Nullable Long fileSizeBytes,
        @Nullable Integer openFiles) {

    /** No limit enforced. */
    public static final ResourceLimits NONE = new ResourceLimits(null, null, null, null, null);
}
