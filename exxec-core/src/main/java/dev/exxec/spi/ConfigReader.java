package dev.exxec.spi;

import dev.exxec.ConfigException;
import dev.exxec.Language;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Reads a provider's configuration map with typed getters, accepting values as they come from JSON,
 * YAML, the command line ({@code --set key=value}, always strings) or code. Malformed values and,
 * at {@link #finish()}, unknown keys throw {@link ConfigException} naming the key.
 *
 * <p>A key {@code env.NAME} sets one environment variable; a key {@code env} may also hold a map.
 * Not thread-safe; use one reader per {@code create} call.
 */
public final class ConfigReader {
    private static final Pattern SIZE = Pattern.compile("(?i)\\s*(\\d+(?:\\.\\d+)?)\\s*([kmgt]?)(i?b)?\\s*");
    private static final Pattern DURATION = Pattern.compile("(?i)\\s*(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?\\s*");

    private final String providerId;
    private final Map<String, ?> config;
    private final List<ExecutionProvider.ConfigKey> known;
    private final Set<String> used = new HashSet<>();

    public ConfigReader(String providerId, Map<String, ?> config, List<ExecutionProvider.ConfigKey> known) {
        this.providerId = providerId;
        this.config = config;
        this.known = List.copyOf(known);
    }

    private @Nullable Object raw(String key) {
        used.add(key);
        return config.get(key);
    }

    /** A string value. */
    public Optional<String> string(String key) {
        Object v = raw(key);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof Map<?, ?> || v instanceof Collection<?>) {
            throw bad(key, v, "a single value");
        }
        if (v instanceof byte[]) {
            throw new ConfigException(
                    key, "config key '" + key + "' of provider '" + providerId + "' holds binary data; expected text");
        }
        return Optional.of(v.toString());
    }

    /** A non-blank string value. */
    public Optional<String> nonBlank(String key) {
        Optional<String> s = string(key);
        if (s.isPresent() && s.get().isBlank()) {
            throw new ConfigException(key, "config key '" + key + "' is empty");
        }
        return s;
    }

    /** A boolean: true/false, yes/no, on/off, 1/0. */
    public Optional<Boolean> bool(String key) {
        Object v = raw(key);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof Boolean b) {
            return Optional.of(b);
        }
        return switch (v.toString().trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> Optional.of(true);
            case "false", "no", "off", "0" -> Optional.of(false);
            default -> throw bad(key, v, "true or false");
        };
    }

    /** An integer. */
    public Optional<Integer> integer(String key) {
        Object v = raw(key);
        if (v == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(
                    v instanceof Number n
                            ? Math.toIntExact(n.longValue())
                            : Integer.parseInt(v.toString().trim()));
        } catch (NumberFormatException | ArithmeticException e) {
            throw bad(key, v, "a whole number");
        }
    }

    /**
     * A duration: a number of seconds ({@code 30}, {@code 1.5}), a number with a unit ({@code 250ms},
     * {@code 30s}, {@code 2m}, {@code 1h}) or ISO-8601 ({@code PT30S}). Must not be negative.
     */
    public Optional<Duration> duration(String key) {
        Object v = raw(key);
        if (v == null) {
            return Optional.empty();
        }
        Duration d;
        if (v instanceof Duration given) {
            d = given;
        } else if (v instanceof Number n) {
            d = seconds(n.doubleValue());
        } else {
            String s = v.toString().trim();
            Matcher m = DURATION.matcher(s);
            if (m.matches()) {
                double amount = Double.parseDouble(m.group(1));
                String unit = m.group(2) == null ? "s" : m.group(2).toLowerCase(Locale.ROOT);
                d = switch (unit) {
                    case "ms" -> Duration.ofNanos((long) (amount * 1e6));
                    case "m" -> seconds(amount * 60);
                    case "h" -> seconds(amount * 3600);
                    default -> seconds(amount);
                };
            } else {
                try {
                    d = Duration.parse(s);
                } catch (DateTimeParseException e) {
                    throw bad(key, v, "seconds (30, 1.5) or a duration (250ms, 30s, 2m, PT30S)");
                }
            }
        }
        if (d.isNegative()) {
            throw bad(key, v, "a duration that is not negative");
        }
        return Optional.of(d);
    }

    private static Duration seconds(double s) {
        return Duration.ofNanos(Math.round(s * 1e9));
    }

    /** A size in bytes: a number, or with a unit ({@code 64k}, {@code 10m}, {@code 1g}, {@code 512MiB}). */
    public Optional<Long> bytes(String key) {
        Object v = raw(key);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof Number n) {
            if (n.longValue() < 0) {
                throw bad(key, v, "a size that is not negative");
            }
            return Optional.of(n.longValue());
        }
        Matcher m = SIZE.matcher(v.toString());
        if (!m.matches()) {
            throw bad(key, v, "a size in bytes (1048576, 64k, 10m, 1g)");
        }
        long unit = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> 1L << 10;
            case "m" -> 1L << 20;
            case "g" -> 1L << 30;
            case "t" -> 1L << 40;
            default -> 1;
        };
        return Optional.of((long) (Double.parseDouble(m.group(1)) * unit));
    }

    /** An enum constant by name, ignoring case and dashes. */
    public <E extends Enum<E>> Optional<E> choice(String key, Class<E> type) {
        return string(key).map(s -> {
            String wanted = s.trim().replace('-', '_').toUpperCase(Locale.ROOT);
            for (E e : type.getEnumConstants()) {
                if (e.name().equals(wanted)) {
                    return e;
                }
            }
            throw bad(
                    key,
                    s,
                    "one of "
                            + java.util.Arrays.stream(type.getEnumConstants())
                                    .map(e -> e.name().toLowerCase(Locale.ROOT).replace('_', '-'))
                                    .collect(Collectors.joining(", ")));
        });
    }

    /** A language name or alias. */
    public Optional<Language> language(String key) {
        return string(key).map(s -> {
            try {
                return Language.of(s);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(key, "config key '" + key + "': " + e.getMessage());
            }
        });
    }

    /** A list: a JSON/YAML list, or a string split at commas. */
    public List<String> list(String key) {
        Object v = raw(key);
        if (v == null) {
            return List.of();
        }
        if (v instanceof Collection<?> c) {
            return c.stream().map(String::valueOf).toList();
        }
        return java.util.Arrays.stream(v.toString().split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .toList();
    }

    /**
     * The string map under a prefix: keys {@code prefix.NAME}, and a map value under {@code prefix}
     * itself (the dotted keys win). Each value is a string or a number (rendered as JSON writes it:
     * {@code 8080}, {@code 1.5}); anything else is refused naming {@code prefix.NAME}, see {@link
     * #text(String, Object)}.
     */
    public Map<String, String> map(String prefix) {
        Map<String, String> result = new LinkedHashMap<>();
        Object whole = raw(prefix);
        if (whole instanceof Map<?, ?> m) {
            m.forEach((k, v) -> result.put(String.valueOf(k), text(prefix + "." + k, v)));
        } else if (whole != null) {
            throw bad(prefix, whole, "a map of names to values (or use " + prefix + ".NAME=value)");
        }
        String dotted = prefix + ".";
        for (Map.Entry<String, ?> e : config.entrySet()) {
            if (e.getKey().startsWith(dotted)) {
                used.add(e.getKey());
                String name = e.getKey().substring(dotted.length());
                if (name.isEmpty()) {
                    throw new ConfigException(e.getKey(), "config key '" + e.getKey() + "' has no name after the dot");
                }
                result.put(name, text(e.getKey(), e.getValue()));
            }
        }
        return result;
    }

    /**
     * A map entry's value as text. A string is itself and a number is its JSON text ({@code 8080},
     * not {@code 8080.0}; {@code 1.5}). Everything else is refused, because Java's rendering of it is
     * never what the writer meant: binary data ({@code [B@76f2b07d}), a list or a map ({@code [x]}),
     * null (which would become an empty string, or could be read as "unset"), and a boolean, which
     * would become {@code true} where the writer may have written {@code yes}, {@code on} or {@code
     * True}: the program would see a spelling nobody chose. Quoting the value says which text is meant.
     */
    private static String text(String key, @Nullable Object value) {
        String got;
        if (value instanceof CharSequence
                || value instanceof Byte
                || value instanceof Short
                || value instanceof Integer
                || value instanceof Long
                || value instanceof java.math.BigInteger
                || value instanceof java.math.BigDecimal) {
            got = null;
        } else if (value instanceof Double || value instanceof Float) {
            got = Double.isFinite(((Number) value).doubleValue()) ? null : "a number that is not finite";
        } else {
            got = switch (value) {
                case null -> "null";
                case Boolean b -> "a boolean";
                case byte[] b -> "binary data";
                case Collection<?> c -> "a list";
                case Object[] a -> "a list";
                case Map<?, ?> m -> "a map";
                default -> value.getClass().getSimpleName();
            };
        }
        if (got != null) {
            throw new ConfigException(
                    key,
                    key + ": must be a string or a number, got " + got
                            + (value instanceof Boolean || value == null
                                    ? " (quote the value to say which text is meant, \"\" for empty)"
                                    : ""));
        }
        return switch (value) {
            case Double d -> jsonNumber(java.math.BigDecimal.valueOf(d));
            case Float f -> jsonNumber(new java.math.BigDecimal(Float.toString(f)));
            case java.math.BigDecimal d -> d.toPlainString();
            default -> value.toString();
        };
    }

    /** A binary floating-point number as JSON writes it: no {@code .0} on a whole number, no exponent. */
    private static String jsonNumber(java.math.BigDecimal d) {
        java.math.BigDecimal stripped = d.stripTrailingZeros();
        return stripped.scale() <= 0 ? stripped.toBigInteger().toString() : stripped.toPlainString();
    }

    /**
     * Fails on keys no getter asked for, naming them, suggesting the closest known key, and listing all
     * known keys.
     */
    public void finish() {
        List<String> unknown = new ArrayList<>();
        for (String key : config.keySet()) {
            if (!used.contains(key)) {
                unknown.add(key);
            }
        }
        if (unknown.isEmpty()) {
            return;
        }
        String key = unknown.get(0);
        String names = known.stream().map(ExecutionProvider.ConfigKey::name).collect(Collectors.joining(", "));
        String suggestion =
                closest(key).map(k -> " (did you mean '" + k + "'?)").orElse("");
        throw new ConfigException(
                key,
                "unknown config key '" + key + "' for provider '" + providerId + "'" + suggestion + "; known keys: "
                        + names);
    }

    private Optional<String> closest(String key) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (ExecutionProvider.ConfigKey k : known) {
            int d = distance(key.toLowerCase(Locale.ROOT), k.name().toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = k.name();
            }
        }
        return best != null && bestDistance <= Math.max(2, key.length() / 3) ? Optional.of(best) : Optional.empty();
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private ConfigException bad(String key, Object value, String expected) {
        return new ConfigException(
                key,
                "config key '" + key + "' of provider '" + providerId + "' has value '" + value + "'; expected "
                        + expected);
    }
}
