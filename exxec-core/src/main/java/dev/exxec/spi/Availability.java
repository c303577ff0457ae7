package dev.exxec.spi;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Whether a provider can work on this machine now, and if not, why and how to fix it.
 *
 * @param available whether environments can be created
 * @param summary one line: what was found (versions, paths) or what is missing
 * @param fix how to make it available, or {@code null} when it is
 * @param details further facts, one per line (for example which languages were found)
 */
public record Availability(
        boolean available, String summary, @Nullable String fix, List<String> details) {

    public Availability {
        Objects.requireNonNull(summary, "summary");
        details = List.copyOf(details);
        if (!available && fix == null) {
            throw new IllegalArgumentException("an unavailable provider must say how to fix it");
        }
    }

    /** Available, with what was found. */
    public static Availability available(String summary, List<String> details) {
        return new Availability(true, summary, null, details);
    }

    /** Not available, with the reason and the fix. */
    public static Availability unavailable(String reason, String fix) {
        return new Availability(false, reason, fix, List.of());
    }
}
