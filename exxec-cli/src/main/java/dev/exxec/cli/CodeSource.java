package dev.exxec.cli;

import dev.exxec.Code;
import dev.exxec.Language;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The program {@code exxec run} was given: a file's text, or standard input for {@code -}.
 *
 * @param name the file name, or {@code -} for standard input
 * @param text the program text
 */
record CodeSource(String name, String text) {

    /** The name that means standard input. */
    static final String STDIN = "-";

    /**
     * Reads the program.
     *
     * @throws UsageException when the file does not exist, cannot be read, or holds no code
     */
    static CodeSource read(String name, InputStream stdin) {
        String text;
        try {
            text = name.equals(STDIN)
                    ? new String(stdin.readAllBytes(), StandardCharsets.UTF_8)
                    : new String(Files.readAllBytes(Path.of(name)), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new UsageException("file not found: " + name);
        } catch (AccessDeniedException e) {
            throw new UsageException("cannot read " + name + ": permission denied");
        } catch (IOException e) {
            if (Files.isDirectory(Path.of(name))) {
                throw new UsageException(name + " is a directory, not a program file");
            }
            throw new UncheckedIOException("cannot read " + name, e);
        }
        if (text.isBlank()) {
            throw new UsageException(
                    (name.equals(STDIN) ? "standard input" : name) + " is empty: there is no code to run");
        }
        return new CodeSource(name, text);
    }

    /**
     * The code to execute: in {@code language} when given, else the language of the file's extension,
     * else the environment's default ({@code null} language).
     */
    Code code(@Nullable Language language) {
        Optional<Language> chosen = Optional.ofNullable(language)
                .or(() -> name.equals(STDIN) ? Optional.empty() : Language.fromFileName(name));
        Code code = chosen.map(l -> Code.of(l, text)).orElseGet(() -> Code.of(text));
        return code.named(label());
    }

    /**
     * What tracebacks call the program: the file name as the user typed it, {@code <stdin>} for
     * standard input (as Python names it). A control character in a file name (which a name may not
     * hold) shows as {@code ?}, as {@code ls} shows it.
     */
    String label() {
        if (name.equals(STDIN)) {
            return "<stdin>";
        }
        StringBuilder b = new StringBuilder(name.length());
        name.codePoints()
                .forEach(c -> b.appendCodePoint(Character.isISOControl(c) || c == '\u2028' || c == '\u2029' ? '?' : c));
        String label = b.toString();
        return label.isBlank() || label.length() > Code.MAX_NAME_LENGTH ? "<code>" : label;
    }
}
