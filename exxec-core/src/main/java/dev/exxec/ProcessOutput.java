package dev.exxec;

import java.util.Objects;

/**
 * A snapshot of a background process's output so far.
 *
 * @param stdout standard output kept
 * @param stderr standard error kept
 * @param combined both, interleaved in the order they were read
 * @param truncated whether older output was dropped to stay within the output limit
 */
public record ProcessOutput(String stdout, String stderr, String combined, boolean truncated) {
    public ProcessOutput {
        Objects.requireNonNull(stdout, "stdout");
        Objects.requireNonNull(stderr, "stderr");
        Objects.requireNonNull(combined, "combined");
    }
}
