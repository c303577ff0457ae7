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
        assertThat(o.out())
                .contains("42\n")
                .contains("3\n")
                .contains("hi\n")
                .contains(">>> ")
                .contains("... ");
        assertThat(o.err()).contains("ValueError: no");
        assertThat(o.out().strip()).as("x after the error").endsWith("2\n>>>");
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
