package dev.exxec.internal;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/** JSON for exxec-core: parsing into plain Java values, writing them, converting them to types. */
public final class Json {

    /**
     * Shared, thread-safe mapper for writing and converting values; created on first use, since a
     * mapper costs noticeable start-up time and parsing does not need it.
     */
    private static final class Mapper {
        static final JsonMapper INSTANCE = JsonMapper.builder().build();
    }

    private Json() {}

    /**
     * Parses JSON text into plain, unmodifiable Java values: maps, lists, strings, numbers (Integer,
     * Long or BigInteger; Double, or BigDecimal beyond a double's range), booleans and null.
     *
     * @throws IllegalArgumentException when the text is not JSON
     */
    public static @Nullable Object parse(String json) {
        return JsonReader.parse(json);
    }

    /** Writes a value as compact JSON. */
    public static String write(@Nullable Object value) {
        return Mapper.INSTANCE.writeValueAsString(value);
    }

    /** Converts a plain value to another type with Jackson's rules. */
    public static <T> @Nullable T convert(@Nullable Object value, Class<T> type) {
        try {
            return Mapper.INSTANCE.convertValue(value, type);
        } catch (JacksonException e) {
            throw new IllegalArgumentException(
                    "the value does not convert to " + type.getName() + ": " + e.getOriginalMessage(), e);
        }
    }
}
