package dev.exxec;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** A programming language that environments can run. */
public enum Language {
    /** Python 3. */
    PYTHON("python", List.of("py", "python3"), List.of(".py")),
    /** JavaScript on Node.js (or the environment's JavaScript engine). */
    JAVASCRIPT("javascript", List.of("js", "node", "nodejs"), List.of(".js", ".mjs", ".cjs")),
    /** TypeScript, transpiled (not type-checked) before it runs. */
    TYPESCRIPT("typescript", List.of("ts"), List.of(".ts", ".mts", ".cts"));

    private final String id;
    private final List<String> aliases;
    private final List<String> extensions;

    Language(String id, List<String> aliases, List<String> extensions) {
        this.id = id;
        this.aliases = aliases;
        this.extensions = extensions;
    }

    /** The lower-case name used in configuration, on the command line and on the wire. */
    public String id() {
        return id;
    }

    /** File name extensions (with the dot) that mean this language. */
    public List<String> extensions() {
        return extensions;
    }

    /**
     * Parses a language name or alias ({@code python}, {@code py}, {@code js}, {@code node}, {@code ts}...),
     * ignoring case.
     *
     * @throws IllegalArgumentException naming the known languages when {@code name} is none of them
     */
    public static Language of(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (Language l : values()) {
            if (l.id.equals(n) || l.aliases.contains(n)) {
                return l;
            }
        }
        throw new IllegalArgumentException("unknown language '" + name + "'; known: "
                + Arrays.stream(values()).map(Language::id).collect(Collectors.joining(", ")));
    }

    /** The language a file name's extension stands for, if any. */
    public static Optional<Language> fromFileName(String fileName) {
        String lower = fileName.toLowerCase(Locale.ROOT);
        for (Language l : values()) {
            for (String ext : l.extensions) {
                if (lower.endsWith(ext)) {
                    return Optional.of(l);
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return id;
    }
}
