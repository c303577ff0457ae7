package dev.exxec.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/** Where {@code exxec repl} reads its lines: a terminal with line editing, or plain piped input. */
interface LineInput extends AutoCloseable {

    /**
     * The next line, without its line break; {@code null} at the end of input.
     *
     * @param prompt what a terminal shows first ({@code >>> }, {@code ... }); piped input shows none
     */
    @Nullable
    String readLine(String prompt) throws IOException;

    /** Forgets a half-typed block: the next prompt is a fresh one (after Ctrl-C on a terminal). */
    default boolean interrupted() {
        return false;
    }

    @Override
    void close() throws IOException;

    /** Piped or redirected input: lines as they come, no prompt, no echo. */
    static LineInput plain(StdIo io) {
        BufferedReader in = new BufferedReader(new InputStreamReader(io.in(), StandardCharsets.UTF_8));
        return new LineInput() {
            @Override
            public @Nullable String readLine(String prompt) throws IOException {
                return in.readLine();
            }

            @Override
            public void close() {
                // the invocation's standard input is not ours to close
            }
        };
    }

    /** A stream that does nothing with what is printed: the banner's place when input is piped. */
    static PrintStream nowhere() {
        return new PrintStream(java.io.OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8);
    }
}
