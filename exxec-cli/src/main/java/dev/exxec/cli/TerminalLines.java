package dev.exxec.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jspecify.annotations.Nullable;

/**
 * Lines from a terminal with JLine: editing, and history kept in {@code history} (none when {@code
 * null}: then nothing is written anywhere). Only this class touches JLine, and {@code exxec repl}
 * loads it only when standard input is a terminal, so no other run pays for JLine's classes.
 */
final class TerminalLines implements LineInput {
    private final Terminal terminal;
    private final LineReader reader;
    private boolean interrupted;

    TerminalLines(StdIo io, @Nullable Path history) throws IOException {
        TerminalBuilder builder =
                TerminalBuilder.builder().name("exxec").encoding(java.nio.charset.StandardCharsets.UTF_8);
        terminal = io.in() == System.in
                ? builder.system(true).build()
                : builder.system(false)
                        .streams(io.in(), io.out())
                        .type(Terminal.TYPE_DUMB)
                        .size(new org.jline.terminal.Size(80, 24))
                        .build();
        LineReaderBuilder reader = LineReaderBuilder.builder()
                .terminal(terminal)
                .appName("exxec")
                .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true) // "!" is code, not a history event
                .option(LineReader.Option.INSERT_TAB, true); // a tab indents: there is no completion
        if (history != null) { // else JLine keeps this run's history in memory only
            ensurePrivate(history);
            reader.variable(LineReader.HISTORY_FILE, history).variable(LineReader.HISTORY_FILE_SIZE, 10_000);
        }
        this.reader = reader.build();
    }

    /** The history file exists, readable by its owner only: typed code may hold secrets. */
    static void ensurePrivate(Path history) throws IOException {
        if (!Files.exists(history, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            try {
                Files.createFile(
                        history, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // created meanwhile
            }
        }
    }

    @Override
    public @Nullable String readLine(String prompt) {
        interrupted = false;
        try {
            return reader.readLine(prompt);
        } catch (UserInterruptException e) {
            interrupted = true;
            return "";
        } catch (EndOfFileException e) {
            return null;
        }
    }

    @Override
    public boolean interrupted() {
        return interrupted;
    }

    @Override
    public void close() throws IOException {
        try {
            reader.getHistory().save();
        } finally {
            terminal.close();
        }
    }
}
