package dev.exxec;

/**
 * The size of a terminal in character cells.
 *
 * @param columns width, at least 1
 * @param rows height, at least 1
 */
public record TerminalSize(int columns, int rows) {
    public TerminalSize {
        if (columns < 1 || rows < 1 || columns > 10_000 || rows > 10_000) {
            throw new IllegalArgumentException("terminal size out of range: " + columns + "x" + rows);
        }
    }

    /** A size of {@code columns} by {@code rows}. */
    public static TerminalSize of(int columns, int rows) {
        return new TerminalSize(columns, rows);
    }
}
