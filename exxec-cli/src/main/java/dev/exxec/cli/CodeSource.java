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
     * @throws UsageException when the file does not exist (exit code 127), cannot be read (126), or
     *     holds no code
     */
    static CodeSource read(String name, InputStream stdin) {
        String text;
        try {
            text = name.equals(STDIN)
                    ? new String(stdin.readAllBytes(), StandardCharsets.UTF_8)
                    : new String(Files.readAllBytes(Path.of(name)), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new UsageException("file not found: " + name, ExitCodes.NOT_FOUND);
        } catch (AccessDeniedException e) {
            throw new UsageException("cannot read " + name + ": permission denied", ExitCodes.CANNOT_RUN);
        } catch (IOException e) {
            if (Files.isDirectory(Path.of(name))) {
                throw new UsageException(name + " is a directory, not a program file", ExitCodes.CANNOT_RUN);
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
        return chosen.map(l -> Code.of(l, text)).orElseGet(() -> Code.of(text));
    }
}
