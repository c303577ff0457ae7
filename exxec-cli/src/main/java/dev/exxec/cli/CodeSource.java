package dev.exxec.cli;

import dev.exxec.Code;
import dev.exxec.Language;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
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

    /**
     * The largest program read, in bytes: 16 MiB, the largest message {@code exxec serve} takes (so
     * that what runs here can also be sent to a server). Far above any program written by hand; a
     * larger input is data, which belongs in a file the program reads. Without a bound, {@code head -c
     * 2200M /dev/zero | exxec run -} or {@code exxec run /dev/zero} filled the heap.
     */
    static final int LIMIT = 16 << 20;

    /** The name that means standard input. */
    static final String STDIN = "-";

    /**
     * Reads the program: at most {@link #LIMIT} bytes of UTF-8 text. A FIFO or process substitution
     * ({@code exxec run <(generate)}) is read like standard input, waiting for its writer as {@code cat}
     * would.
     *
     * @throws UsageException when the file does not exist (exit code 127), cannot be read (126), holds
     *     no code, holds more than {@link #LIMIT} bytes or is not UTF-8 (125)
     */
    static CodeSource read(String name, InputStream stdin) {
        String what = name.equals(STDIN) ? "standard input" : name;
        byte[] bytes;
        try {
            if (name.equals(STDIN)) {
                bytes = stdin.readNBytes(LIMIT + 1);
            } else {
                try (InputStream in = Files.newInputStream(Path.of(name))) {
                    bytes = in.readNBytes(LIMIT + 1);
                }
            }
        } catch (NoSuchFileException e) {
            throw new UsageException("file not found: " + name, ExitCodes.NOT_FOUND);
        } catch (AccessDeniedException e) {
            throw new UsageException("cannot read " + name + ": permission denied", ExitCodes.CANNOT_RUN);
        } catch (IOException e) {
            if (!name.equals(STDIN) && Files.isDirectory(Path.of(name))) {
                throw new UsageException(name + " is a directory, not a program file", ExitCodes.CANNOT_RUN);
            }
            throw new UsageException(
                    "cannot read " + what + ": "
                            + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()),
                    ExitCodes.CANNOT_RUN);
        }
        if (bytes.length > LIMIT) {
            throw new UsageException(what + " holds more than " + (LIMIT >> 20)
                    + " MiB: exxec runs programs of at most that size; give larger data to the program as a file");
        }
        String text = decode(what, bytes);
        if (text.isBlank()) {
            throw new UsageException(what + " is empty: there is no code to run");
        }
        return new CodeSource(name, text);
    }

    /**
     * The bytes as UTF-8, or a usage error naming the first byte that is not: replacing it with U+FFFD
     * would run other text than the file holds.
     */
    private static String decode(String what, byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate((int) Math.min(Integer.MAX_VALUE - 8L, bytes.length + 1L));
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            int offset = in.position();
            int line = 1;
            for (int i = 0; i < offset; i++) {
                if (bytes[i] == '\n') {
                    line++;
                }
            }
            throw new UsageException(what + " is not UTF-8 text (a byte that is not UTF-8 at offset " + offset
                    + ", line " + line + "): exxec runs programs written in UTF-8");
        }
        return out.flip().toString();
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
