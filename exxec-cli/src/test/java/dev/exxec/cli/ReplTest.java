package dev.exxec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code exxec repl} on the local provider, with its input typed in advance. */
class ReplTest {

    @Test
    void pythonStatePersistsAndExpressionsShowTheirValue() {
        Cli.Outcome o = Cli.runWithInput(
                "x = 1\nx += 1\nx * 21\ndef f(n):\n    return n + x\n\nf(1)\nprint('hi')\nraise ValueError('no')\nx\n",
                "repl");
        assertThat(o.exitCode()).as("%s", o).isZero();
        assertThat(o.out()).as("piped input: values and output only").isEqualTo("42\n3\nhi\n2\n");
        assertThat(o.err())
                .as("no banner, and a traceback that starts at the input")
                .isEqualTo("Traceback (most recent call last):\n  File \"<stdin>\", line 1, in <module>\n"
                        + "    raise ValueError('no')\nValueError: no\n");
    }

    @Test
    void pipedInputGetsNoPromptsAndNoWrapperFrames() {
        Cli.Outcome o = Cli.runWithInput("x = 41\nx + 1\n1/0\n", "repl");
        assertThat(o.exitCode()).as("%s", o).isZero();
        assertThat(o.out()).isEqualTo("42\n");
        assertThat(o.err()).doesNotContain(">>>").doesNotContain("__exxec").doesNotContain("<code>");
        assertThat(o.err()).startsWith("Traceback (most recent call last):\n  File \"<stdin>\", line 1, in <module>\n");

        Cli.Outcome js = Cli.runWithInput("let x = 41\nx + 1\nnull.y\n", "repl", "-l", "js");
        assertThat(js.out()).as("%s", js).isEqualTo("42\n");
        assertThat(js.err())
                .as("%s", js)
                .startsWith("<stdin>:1\nnull.y\n")
                .contains("TypeError: Cannot read properties of null")
                .doesNotContain("eval")
                .doesNotContain("<code>")
                .doesNotContain("exxec");
    }

    @Test
    void graalvmSessionsEvaluateInputToo() {
        Cli.Outcome o = Cli.runWithInput("x = 41\nx + 1\n1/0\n", "repl", "--provider", "graalvm");
        assertThat(o.exitCode()).as("%s", o).isZero();
        assertThat(o.out()).as("%s", o).isEqualTo("42\n");
        assertThat(o.err())
                .as("%s", o)
                .startsWith("Traceback (most recent call last):\n  File \"<stdin>\", line 1, in <module>\n")
                .doesNotContain("__exxec");
        Cli.Outcome js = Cli.runWithInput("let x = 41\nx + 1\n", "repl", "--provider", "graalvm", "-l", "js");
        assertThat(js.out()).as("%s", js).isEqualTo("42\n");
    }

    @Test
    void aHistoryFileIsReadableByItsOwnerOnly(@org.junit.jupiter.api.io.TempDir java.nio.file.Path home)
            throws Exception {
        java.nio.file.Path history = home.resolve("history");
        TerminalLines.ensurePrivate(history);
        assertThat(java.nio.file.Files.getPosixFilePermissions(history))
                .containsExactlyInAnyOrder(
                        java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
    }

    @Test
    void aTerminalIsAPseudoTerminalOrTtyDevice(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        for (String target : new String[] {"/dev/pts/3", "/dev/tty1", "/dev/tty"}) {
            java.nio.file.Path link = java.nio.file.Files.createSymbolicLink(
                    dir.resolve("fd" + target.replace('/', '_')), java.nio.file.Path.of(target));
            assertThat(Tty.linksToTerminal(link)).as(target).isTrue();
        }
        for (String target : new String[] {"pipe:[1234]", "/dev/null", "/tmp/in.txt", "socket:[5]", "/dev/pts/ptmx"}) {
            java.nio.file.Path link = java.nio.file.Files.createSymbolicLink(
                    dir.resolve("fd" + target.replaceAll("[^a-z0-9]", "_")), java.nio.file.Path.of(target));
            assertThat(Tty.linksToTerminal(link)).as(target).isFalse();
        }
        assertThat(Tty.linksToTerminal(dir.resolve("missing"))).isFalse();
    }

    @Test
    void javascriptBlocksEndWhenTheirBracketsClose() {
        Cli.Outcome o = Cli.runWithInput(
                "var total = 0\nfunction add(n) {\n  total += n;\n  return total;\n}\nadd(40) + 2\n:quit\nnever()\n",
                "repl",
                "--language",
                "js");
        assertThat(o.exitCode()).as("%s", o).isZero();
        assertThat(o.out()).contains("42\n");
        assertThat(o.err()).doesNotContain("never");
    }
}
