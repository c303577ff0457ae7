package dev.exxec;

import org.jspecify.annotations.Nullable;

/** A configuration value is unknown, malformed or inconsistent; {@link #key()} names it. */
public class ConfigException extends ExxecException {
    private static final long serialVersionUID = 1L;

    private final @Nullable String key;

    public ConfigException(@Nullable String key, String message) {
        super(message);
        this.key = key;
    }

    public ConfigException(@Nullable String key, String message, @Nullable Throwable cause) {
        super(message, cause);
        this.key = key;
    }

    /** The configuration key at fault, or {@code null} when the fault is not one key's. */
    public @Nullable String key() {
        return key;
    }
}
