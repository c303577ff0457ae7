package dev.exxec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile review (issue 15): exxec's own messages carry text it did not write, a file name from a
 * hostile checkout (a glob), a directory name, a word typed at the wrong place, a remote server's or a
 * daemon's error. On a terminal they were printed raw, so a name like {@code ESC ] 0 ; pwned BEL} set
 * the window title; they are now escaped as the program's output is.
 */
class TerminalErrorsTest {
    private static final String TITLE = "evil\u001b]0;pwned\u0007\u009b2J\u202e";

    @Test
    void anErrorNamingAFileIsEscapedOnATerminal(@TempDir Path dir) {
        Cli.Outcome o = Cli.runAs(Tty.BOTH, dir, "run", TITLE + ".py");
        assertThat(o.exitCode()).as(o.toString()).isNotZero();
        assertThat(o.err()).as(o.toString()).contains("evil\\x1b]0;pwned\\x07\\u009b2J\\u202e");
        assertThat(o.err()).doesNotContain("\u001b").doesNotContain("\u0007").doesNotContain("\u009b");

        Cli.Outcome piped = Cli.runAs(Tty.NONE, dir, "run", TITLE + ".py");
        assertThat(piped.err()).as("a pipe gets the name as it is").contains(TITLE);
    }

    @Test
    void aParseErrorIsEscapedOnATerminal(@TempDir Path dir) {
        Cli.Outcome o = Cli.runAs(Tty.BOTH, dir, TITLE);
        assertThat(o.err()).as(o.toString()).contains("evil\\x1b]0;pwned").doesNotContain("\u001b");
        Cli.Outcome option = Cli.runAs(Tty.BOTH, dir, "run", "--" + TITLE, "x.py");
        assertThat(option.err()).as(option.toString()).contains("\\x1b").doesNotContain("\u001b");
    }

    @Test
    void theSandboxsNoteNamesTheDirectoryEscaped() {
        ByteArrayOutputStream notes = new ByteArrayOutputStream();
        Target t = new Target("sandbox", Map.of());
        t.inWorkingDirectory(Path.of("/proc/" + TITLE), false, new PrintStream(notes, true, StandardCharsets.UTF_8));
        assertThat(notes.toString(StandardCharsets.UTF_8))
                .contains("/proc/evil\\x1b]0;pwned")
                .doesNotContain("\u001b");
    }
}
