package dev.exxec.mcp.internal;

import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A tool call's arguments, checked against what the tool takes. A missing, unknown or mistyped
 * argument is a protocol error ({@code -32602}, invalid params) naming the argument: the call never
 * reached the environment.
 */
final class Args {
    private final String tool;
    private final Map<String, Object> values;

    Args(String tool, @Nullable Map<String, Object> values, Set<String> known) {
        this.tool = tool;
        this.values = values == null ? Map.of() : values;
        for (String name : this.values.keySet()) {
            if (!known.contains(name)) {
                throw invalid("unknown argument '" + name + "'; " + tool + " takes " + known);
            }
        }
    }

    static McpError invalid(String message) {
        return McpError.builder(McpSchema.ErrorCodes.INVALID_PARAMS)
                .message(message)
                .build();
    }

    String required(String name) {
        return optional(name).orElseThrow(() -> invalid(tool + ": argument '" + name + "' is required (a string)"));
    }

    /** A non-empty string. */
    String requiredNonBlank(String name) {
        String s = required(name);
        if (s.isBlank()) {
            throw invalid(tool + ": argument '" + name + "' is empty");
        }
        return s;
    }

    Optional<String> optional(String name) {
        Object v = values.get(name);
        if (v == null) {
            return Optional.empty();
        }
        if (!(v instanceof String s)) {
            throw invalid(tool + ": argument '" + name + "' must be a string, got " + describe(v));
        }
        return Optional.of(s);
    }

    /** Seconds, a JSON number (or a string holding one, as some clients send every argument). */
    Optional<Duration> seconds(String name, double max) {
        Object v = values.get(name);
        if (v == null) {
            return Optional.empty();
        }
        double d = secondsOf(name, v);
        if (!(d >= 0) || d > max) {
            throw invalid(
                    tool + ": argument '" + name + "' must be between 0 and " + (long) max + " seconds, got " + v);
        }
        return Optional.of(Duration.ofNanos((long) (d * 1e9)));
    }

    /** A number of seconds: a JSON number, or a string holding one (some clients send every argument so). */
    private double secondsOf(String name, Object v) {
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        if (v instanceof String s) {
            try {
                return Double.parseDouble(s.trim());
            } catch (NumberFormatException e) {
                // named below
            }
        }
        throw invalid(tool + ": argument '" + name + "' must be a number of seconds, got " + describe(v));
    }

    /** The shortest deadline a call may name: below it, no program could start. */
    static final Duration MIN_DEADLINE = Duration.ofMillis(1);

    /**
     * A deadline in seconds: {@code absent} when the argument is not given, else a finite number from
     * 0.001 to {@code max} seconds. Zero, negative, NaN, infinite and larger values are refused by
     * name: a call always has a deadline, and never a longer one than the server allows.
     */
    Duration deadline(String name, Duration absent, Duration max) {
        Object v = values.get(name);
        if (v == null) {
            return absent;
        }
        double d = secondsOf(name, v);
        double maxSeconds = max.toNanos() / 1e9;
        if (!(d >= MIN_DEADLINE.toNanos() / 1e9) || d > maxSeconds) {
            throw invalid(tool + ": argument '" + name + "' must be a number of seconds from 0.001 to "
                    + Serving.seconds(max) + " (the server's maximum deadline; omit it for the default), got " + v);
        }
        return Duration.ofNanos((long) (d * 1e9));
    }

    /** An object of string values, e.g. environment variables. */
    Map<String, String> stringMap(String name) {
        Object v = values.get(name);
        if (v == null) {
            return Map.of();
        }
        if (!(v instanceof Map<?, ?> m)) {
            throw invalid(tool + ": argument '" + name + "' must be an object of strings, got " + describe(v));
        }
        Map<String, String> result = new java.util.LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!(e.getValue() instanceof String s)) {
                throw invalid(tool + ": argument '" + name + "': the value of '" + e.getKey()
                        + "' must be a string, got " + describe(e.getValue()));
            }
            result.put(String.valueOf(e.getKey()), s);
        }
        return result;
    }

    /** A whole number from 1 to {@code max}. */
    Optional<Integer> positive(String name, int max) {
        Object v = values.get(name);
        if (v == null) {
            return Optional.empty();
        }
        long n;
        try {
            n = v instanceof Number num
                    ? num.longValue()
                    : Long.parseLong(String.valueOf(v).trim());
        } catch (NumberFormatException e) {
            throw invalid(tool + ": argument '" + name + "' must be a whole number, got " + describe(v));
        }
        if (n < 1) {
            throw invalid(tool + ": argument '" + name + "' must be at least 1, got " + v);
        }
        return Optional.of((int) Math.min(n, max));
    }

    private static String describe(@Nullable Object v) {
        if (v == null) {
            return "null";
        }
        String type = v instanceof Map<?, ?>
                ? "an object"
                : v instanceof Iterable<?>
                        ? "an array"
                        : v instanceof Boolean
                                ? "a boolean"
                                : v instanceof Number
                                        ? "a number"
                                        : "a " + v.getClass().getSimpleName();
        return type + " (" + v + ")";
    }
}
