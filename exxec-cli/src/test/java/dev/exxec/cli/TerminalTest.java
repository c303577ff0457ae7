package dev.exxec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.exxec.Language;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI as a user at a terminal sees it: a real pseudo-terminal on its stdin, stdout and stderr. */
class TerminalTest {
    @TempDir
    Path dir;

    /**
     * On a terminal {@code exxec run} prints what the program writes as it writes it, as the program
     * would run by itself: the first line shows up while the program still waits, here for a file
     * that only appears once the test has seen that line.
     */
    @Test
    void aTerminalSeesTheOutputAsTheProgramWritesIt() throws Exception {
        Machine.requireLanguage(Language.PYTHON);
        Path go = dir.resolve("go");
        Path code = Files.writeString(dir.resolve("slow.py"), """
                import os, sys, time
                print("first line", flush=True)
                deadline = time.time() + 40
                while not os.path.exists(%s) and time.time() < deadline:
                    time.sleep(0.05)
                print("second line")
                """.formatted(JsonOutput.write(go.toString())));

        try (Pty pty = Pty.start(dir, "run", "--timeout", "60", code.toString())) {
            boolean early = pty.awaitSeen("first line", Duration.ofSeconds(25));
            Files.writeString(go, "");
            String shown = pty.awaitEnd(Duration.ofSeconds(60));

            assertThat(early)
                    .as("the first line reached the terminal while the program was still running:\n%s", shown)
                    .isTrue();
            assertThat(shown).contains("first line\r\n").contains("second line\r\n");
        }
    }

    /**
     * The program's escape sequences (window title, clipboard, clear screen, CSI as a C1 control, a
     * carriage return that would overwrite the line) reach a terminal in a visible form, tracebacks
     * included; {@code --raw-output} writes them as they are.
     */
    @Test
    void controlCharactersReachATerminalEscaped() throws Exception {
        Machine.requireLanguage(Language.PYTHON);
        Path code = Files.writeString(dir.resolve("esc.py"), """
                import sys
                print("a\\x1b]0;title\\x07b\\x1b]52;c;Y2xpcA==\\x07c\\x9b2Jd\\rhidden")
                print("e\\x1b[8mf", file=sys.stderr)
                raise ValueError("\\x1b[2J")
                """);

        try (Pty pty = Pty.start(dir, "run", code.toString())) {
            String shown = pty.awaitEnd(Duration.ofSeconds(60));

            assertThat(shown)
                    .contains("a\\x1b]0;title\\x07b\\x1b]52;c;Y2xpcA==\\x07c\\u009b2Jd\\rhidden\r\n")
                    .contains("e\\x1b[8mf\r\n")
                    .contains("ValueError: \\x1b[2J\r\n");
            // the only ESC left is the one exxec's own progress note may erase itself with
            assertThat(shown.replace("\r\u001b[K", ""))
                    .doesNotContain("\u001b")
                    .doesNotContain("\u0007")
                    .doesNotContain("\u009b");
        }
        try (Pty pty = Pty.start(dir, "run", "--raw-output", code.toString())) {
            assertThat(pty.awaitEnd(Duration.ofSeconds(60))).contains("a\u001b]0;title\u0007b");
        }
    }

    /**
     * A wait over a second shows a one-line note on the terminal's stderr, erased (CR, erase line)
     * before the output comes, so that nothing of it stays on the screen.
     */
    @Test
    void aQuietWaitShowsANoteThatIsErasedBeforeTheOutput() throws Exception {
        try (Pty pty = Pty.start(dir, "exec", "--", "sh", "-c", "sleep 3; echo done")) {
            String shown = pty.awaitEnd(Duration.ofSeconds(60));

            assertThat(shown).matches("(?s)(exxec: [^\r\n]*\u2026\r\u001b\\[K)+done\r\n");
        }
    }

    /** {@code exxec serve} on a terminal says on stderr what it serves and how a client connects. */
    @Test
    void serveOnATerminalSaysWhatItServesAndHowToConnect() throws Exception {
        try (Pty pty = Pty.start(dir, "serve", "--provider", "local")) {
            String shown = pty.awaitEnd(Duration.ofSeconds(60)); // its input ends at once: it stops

            assertThat(shown)
                    .contains("exxec: serving MCP over stdio with the local provider")
                    .contains("{\"mcpServers\":{\"exxec\":{\"command\":")
                    .contains("\"args\":[\"serve\",\"--provider\",\"local\"]");
        }
    }

    /** Over HTTP on a terminal: the URL, the provider and a client entry, without the token itself. */
    @Test
    void serveOverHttpOnATerminalShowsTheUrlToConnectTo() throws Exception {
        try (Pty pty = Pty.start(dir, "serve", "--http", "0", "--token", "s3cret-token")) {
            assertThat(pty.awaitSeen("Ctrl-C stops", Duration.ofSeconds(60)))
                    .as("%s", pty.seen())
                    .isTrue();
            String shown = pty.seen();
            assertThat(shown)
                    .containsPattern("exxec: serving MCP at http://127\\.0\\.0\\.1:\\d+/mcp \\(bearer token required\\)"
                            + " with the local provider")
                    .containsPattern(
                            "\\{\"mcpServers\":\\{\"exxec\":\\{\"type\":\"http\",\"url\":\"http://127\\.0\\.0\\.1:\\d+/mcp\"")
                    .contains("Bearer <your token>")
                    .doesNotContain("s3cret-token");
        }
    }
}
