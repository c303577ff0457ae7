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

    /**
     * Hostile review (issue 15): the bidirectional overrides and isolates reorder what a terminal that
     * implements bidi shows (Trojan Source), so that the user reads other text than was printed:
     * "rm -rf ", U+202E, "/ ~", U+202C shows as "rm -rf ~ /".
     */
    @Test
    void bidirectionalControlsAreShownVisibly() {
        assertThat(TerminalText.escapeAll("safe\u202eexe.txt\u202c lri\u2066x\u2069 rlm\u200f alm\u061c"))
                .isEqualTo("safe\\u202eexe.txt\\u202c lri\\u2066x\\u2069 rlm\\u200f alm\\u061c");
        assertThat(TerminalText.escapeAll("\u202a\u202b\u202d\u2067\u2068\u200e"))
                .isEqualTo("\\u202a\\u202b\\u202d\\u2067\\u2068\\u200e");
        // joiners and other characters that hide nothing pass: emoji and scripts need them
        assertThat(TerminalText.escapeAll("\ud83d\udc68\u200d\ud83d\udcbb a\u200bb"))
                .isEqualTo("\ud83d\udc68\u200d\ud83d\udcbb a\u200bb");
    }
}
