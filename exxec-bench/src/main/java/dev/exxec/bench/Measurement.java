package dev.exxec.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Timings of one contender, in nanoseconds, with the statistics the reports print. */
record Measurement(String name, long[] nanos) {

    static Measurement of(String name, List<Long> samples) {
        return new Measurement(
                name, samples.stream().mapToLong(Long::longValue).sorted().toArray());
    }

    double quantileMs(double q) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        int index = (int) Math.min(sorted.length - 1, Math.round(q * (sorted.length - 1)));
        return sorted[index] / 1e6;
    }

    double medianMs() {
        return quantileMs(0.5);
    }

    String row() {
        return String.format(
                Locale.ROOT,
                "%-34s n=%-4d median %8.3f ms   p10 %8.3f ms   p90 %8.3f ms",
                name,
                nanos.length,
                medianMs(),
                quantileMs(0.1),
                quantileMs(0.9));
    }
}
