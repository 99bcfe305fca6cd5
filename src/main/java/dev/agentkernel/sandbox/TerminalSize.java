package dev.agentkernel.sandbox;

/** A pseudo-terminal's size in character cells. */
public record TerminalSize(int rows, int cols) {
    public static final TerminalSize DEFAULT = new TerminalSize(24, 80);

    public TerminalSize {
        if (rows < 1 || rows > 65535 || cols < 1 || cols > 65535) {
            throw new IllegalArgumentException("a terminal has 1 to 65535 rows and columns, not " + rows + "x" + cols);
        }
    }
}
