package dev.exxec.cli;

/**
 * Shows a program's control characters in a visible form before its text reaches a terminal, so that
 * the program cannot act on the user's terminal: set its window title, clear the screen, write the
 * clipboard (OSC 52), hide text (SGR 8), move the cursor over earlier output, or ring the bell.
 *
 * <p>Newline and tab pass; a carriage return passes only right before a newline (CR LF), since alone
 * it moves back to overwrite the line. Every other C0 control and DEL become {@code \xNN} ({@code
 * \x1b} for ESC), the C1 controls (U+0080 to U+009F) a backslash, {@code u} and four hex digits (for
 * U+009B, the one-byte CSI: backslash u009b), and so do the bidirectional formatting characters
 * (U+202E, the right-to-left override, and its kind), which make a terminal show the text around them
 * in another order than it was printed.
 * Everything else, printable Unicode included, passes unchanged.
 *
 * <p>One instance per output stream: a text may arrive in pieces, and a carriage return at the end of
 * one piece is held until the next shows whether a newline follows ({@link #finish()} releases it).
 * Not thread-safe; the CLI writes each stream from one thread. The REPL and anything else that prints
 * a program's text to a terminal can use it the same way.
 */
final class TerminalText {
    private boolean pendingReturn;

    /**
     * The visible form of the next piece of text.
     *
     * @param text the program's text as it arrived
     * @return what to write to the terminal
     */
    String escape(String text) {
        if (text.isEmpty()) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length() + 8);
        if (pendingReturn) {
            pendingReturn = false;
            out.append(text.startsWith("\n") ? "\r" : "\\r");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\r') {
                if (i + 1 == text.length()) {
                    pendingReturn = true;
                } else {
                    out.append(text.charAt(i + 1) == '\n' ? "\r" : "\\r");
                }
            } else if (c == '\n' || c == '\t') {
                out.append(c);
            } else if (c < 0x20 || c == 0x7f) {
                out.append("\\x").append(hex(c));
            } else if (c >= 0x80 && c <= 0x9f) {
                out.append("\\u00").append(hex(c));
            } else if (bidi(c)) {
                out.append("\\u").append(String.format("%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** What is still held back at the end of the text: a final carriage return, shown escaped. */
    String finish() {
        if (pendingReturn) {
            pendingReturn = false;
            return "\\r";
        }
        return "";
    }

    /** The visible form of a whole text (one piece, nothing held back). */
    static String escapeAll(String text) {
        TerminalText t = new TerminalText();
        return t.escape(text) + t.finish();
    }

    /**
     * The bidirectional formatting characters: the embeddings, overrides and isolates (U+202A to U+202E,
     * U+2066 to U+2069) and the marks (U+200E, U+200F, U+061C). A terminal that implements bidi reorders
     * the text around them, so that the user reads other text than was printed (Trojan Source).
     */
    private static boolean bidi(char c) {
        return (c >= 0x202a && c <= 0x202e)
                || (c >= 0x2066 && c <= 0x2069)
                || c == 0x200e
                || c == 0x200f
                || c == 0x061c;
    }

    private static String hex(char c) {
        return String.format("%02x", (int) c);
    }
}
