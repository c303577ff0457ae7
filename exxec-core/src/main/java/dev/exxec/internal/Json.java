package dev.exxec.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** The one JSON mapper of exxec-core, and conversions between JSON and plain Java values. */
public final class Json {

    /** Shared, thread-safe mapper; big integers stay exact, floating point values become doubles. */
    public static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
            .build();

    private Json() {}

    /**
     * Parses JSON text into plain, unmodifiable Java values: maps, lists, strings, numbers
     * (Integer, Long or BigInteger; Double), booleans and null.
     *
     * @throws IllegalArgumentException when the text is not JSON
     */
    public static @Nullable Object parse(String json) {
        try {
            return freeze(MAPPER.readValue(json, Object.class));
        } catch (JacksonException e) {
            throw new IllegalArgumentException("malformed JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** Writes a value as compact JSON. */
    public static String write(@Nullable Object value) {
        return MAPPER.writeValueAsString(value);
    }

    /** Converts a plain value to another type with Jackson's rules. */
    public static <T> @Nullable T convert(@Nullable Object value, Class<T> type) {
        try {
            return MAPPER.convertValue(value, type);
        } catch (JacksonException e) {
            throw new IllegalArgumentException(
                    "the value does not convert to " + type.getName() + ": " + e.getOriginalMessage(), e);
        }
    }

    private static @Nullable Object freeze(@Nullable Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, @Nullable Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(String.valueOf(k), freeze(v)));
            return Collections.unmodifiableMap(copy);
        }
        if (value instanceof List<?> list) {
            List<@Nullable Object> copy = new ArrayList<>(list.size());
            list.forEach(v -> copy.add(freeze(v)));
            return Collections.unmodifiableList(copy);
        }
        if (value instanceof java.math.BigInteger big && big.bitLength() < 64) {
            long l = big.longValue();
            return l == (int) l ? (Object) (int) l : (Object) l;
        }
        return value;
    }
}
