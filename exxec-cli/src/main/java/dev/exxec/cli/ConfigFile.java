package dev.exxec.cli;

import dev.exxec.ConfigException;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * A {@code --config} file: one JSON or YAML object naming the provider ({@code provider}, or {@code
 * type} as the original Python library calls it) beside the provider's settings, with the same keys
 * as {@code --set}.
 *
 * {@snippet lang = yaml :
 * provider: local
 * timeout: 10
 * env:
 *   GREETING: hello
 * }
 *
 * @param source where it was read from, for messages
 * @param provider the provider it names, or {@code null}
 * @param settings the other keys, in file order; values keep their JSON/YAML types (numbers, booleans,
 *     nested maps such as {@code env})
 */
record ConfigFile(String source, @Nullable String provider, Map<String, @Nullable Object> settings) {

    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final ObjectMapper YAML = YAMLMapper.builder().build();

    /** The keys that name the provider rather than set one of its settings. */
    private static final String PROVIDER = "provider";

    private static final String TYPE = "type";

    ConfigFile {
        settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
    }

    /**
     * Reads a file: JSON when its name ends in {@code .json}, YAML for {@code .yaml}/{@code .yml}, and
     * otherwise JSON when it starts with <code>{</code>, else YAML.
     *
     * @throws ConfigException when the file is missing, unreadable, malformed or not one object
     */
    static ConfigFile read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(null, "config file not found: " + file);
        } catch (CharacterCodingException e) {
            throw new ConfigException(null, "config file " + file + " is not UTF-8 text");
        } catch (IOException e) {
            throw new ConfigException(null, "cannot read config file " + file + ": " + describe(e), e);
        }
        return parse(file.toString(), text, isJson(file.getFileName().toString(), text));
    }

    private static boolean isJson(String name, String text) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".json")) {
            return true;
        }
        if (lower.endsWith(".yaml") || lower.endsWith(".yml")) {
            return false;
        }
        // Sniffed, not tried both ways: a JSON file with a typo should get the JSON parser's message.
        return text.stripLeading().startsWith("{");
    }

    /** Parses file text; {@code source} names it in messages. */
    static ConfigFile parse(String source, String text, boolean json) {
        String format = json ? "JSON" : "YAML";
        if (text.isBlank()) {
            throw new ConfigException(
                    null,
                    "config file " + source + " is empty; expected a " + format
                            + " object such as {\"provider\": \"local\", \"timeout\": 10}");
        }
        Object tree;
        try {
            tree = (json ? JSON : YAML).readValue(text, Object.class);
        } catch (JacksonException e) {
            throw new ConfigException(null, "config file " + source + " is not valid " + format + ": " + where(e), e);
        }
        if (!(tree instanceof Map<?, ?> map)) {
            throw new ConfigException(
                    null,
                    "config file " + source + " must hold one " + format + " object (provider and settings), not "
                            + kind(tree));
        }
        Map<String, @Nullable Object> settings = new LinkedHashMap<>();
        map.forEach((k, v) -> settings.put(String.valueOf(k), v));
        String provider = providerName(source, settings.remove(PROVIDER), PROVIDER);
        String type = providerName(source, settings.remove(TYPE), TYPE);
        if (provider != null && type != null && !provider.equalsIgnoreCase(type)) {
            throw new ConfigException(
                    PROVIDER,
                    "config file " + source + " names two providers: provider '" + provider + "' and type '" + type
                            + "'; keep one");
        }
        return new ConfigFile(source, provider != null ? provider : type, settings);
    }

    private static @Nullable String providerName(String source, @Nullable Object value, String key) {
        if (value == null) {
            return null;
        }
        if (value instanceof Map<?, ?>
                || value instanceof Iterable<?>
                || value.toString().isBlank()) {
            throw new ConfigException(
                    key, "config file " + source + ": '" + key + "' must be a provider id such as local, not " + value);
        }
        return value.toString().trim();
    }

    private static String where(JacksonException e) {
        TokenStreamLocation at = e.getLocation();
        String message = e.getOriginalMessage();
        // Jackson's messages can span lines (YAML snippets); the CLI reports errors on one line.
        message = message == null
                ? e.getClass().getSimpleName()
                : message.lines().findFirst().orElse("");
        return at == null || at.getLineNr() < 1
                ? message
                : message + " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
    }

    private static String kind(@Nullable Object value) {
        return switch (value) {
            case null -> "null";
            case Iterable<?> ignored -> "a list";
            case String ignored -> "a string";
            default -> "a single value";
        };
    }

    private static String describe(IOException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
