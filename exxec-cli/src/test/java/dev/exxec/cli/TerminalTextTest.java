package dev.exxec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TerminalTextTest {

    @Test
    void controlCharactersAreShownVisibly() {
        assertThat(TerminalText.escapeAll("title\u001b]0;pwned\u0007 clip\u001b]52;c;eA==\u001b\\ cls\u001b[2J"))
                .isEqualTo("title\\x1b]0;pwned\\x07 clip\\x1b]52;c;eA==\\x1b\\ cls\\x1b[2J");
        assertThat(TerminalText.escapeAll("c1\u009b2J\u0090 del\u007f nul\u0000 bs\b"))
                .isEqualTo("c1\\u009b2J\\u0090 del\\x7f nul\\x00 bs\\x08");
    }

    @Test
    void newlineTabAndPrintableUnicodePass() {
        assertThat(TerminalText.escapeAll("a\tb\nünï ✓ 日本\u00a0\n")).isEqualTo("a\tb\nünï ✓ 日本\u00a0\n");
    }

    @Test
    void aCarriageReturnPassesOnlyBeforeANewline() {
        assertThat(TerminalText.escapeAll("dos\r\nsecret\rshown\r")).isEqualTo("dos\r\nsecret\\rshown\\r");
    }

    @Test
    void aCarriageReturnAtTheEndOfAPieceWaitsForTheNext() {
        TerminalText t = new TerminalText();
        assertThat(t.escape("line\r")).isEqualTo("line");
        assertThat(t.escape("")).isEmpty();
        assertThat(t.escape("\nnext\r")).isEqualTo("\r\nnext");
        assertThat(t.escape("over")).isEqualTo("\\rover");
        assertThat(t.escape("end\r")).isEqualTo("end");
        assertThat(t.finish()).isEqualTo("\\r");
        assertThat(t.finish()).isEmpty();
    }
}
