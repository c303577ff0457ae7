package dev.exxec.testkit;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Skips a test that needs something this machine lacks (a daemon, a tool), except where every test
 * must run: with the environment variable {@code EXXEC_REQUIRE_ALL=1} (CI sets it) the skip becomes a
 * failure, so that a missing tool cannot hide a broken provider.
 *
 * {@snippet :
 * Requirements.require(dockerReachable(), "the Docker daemon is not reachable; start it");
 * }
 */
public final class Requirements {
    /** The variable that turns skips into failures. */
    public static final String REQUIRE_ALL = "EXXEC_REQUIRE_ALL";

    private static final Set<String> MISSING = ConcurrentHashMap.newKeySet();

    private Requirements() {}

    /**
     * Returns when {@code met}; otherwise skips the current test (or container), or fails it when
     * {@link #REQUIRE_ALL} is {@code 1} or {@code true}.
     *
     * @param why what is missing and how to get it
     */
    public static void require(boolean met, String why) {
        if (met) {
            return;
        }
        if (requireAll()) {
            Assertions.fail(why + " (" + REQUIRE_ALL + " is set, so this is a failure, not a skip)");
        }
        MISSING.add(why);
        Assumptions.abort(why);
    }

    /** Whether a skip's reason is one {@link #require} gave: something this machine lacks. */
    static boolean isMissingReason(String reason) {
        return MISSING.contains(reason);
    }

    /** Whether skips for missing tools are failures here. */
    public static boolean requireAll() {
        String value = System.getenv(REQUIRE_ALL);
        return value != null && (value.equals("1") || value.equalsIgnoreCase("true"));
    }
}
