package dev.agentkernel.build.dockerfile;

import dev.agentkernel.errors.UserInputException;

/**
 * A Dockerfile that cannot be parsed or evaluated. The message always names the line the problem is on
 * ({@code Dockerfile line 12: ...}), and for instructions that span lines, the line the instruction starts on.
 */
public final class DockerfileException extends UserInputException {
    private final int line;

    public DockerfileException(int line, String message) {
        super("Dockerfile line " + line + ": " + message);
        this.line = line;
    }

    public DockerfileException(int line, String message, Throwable cause) {
        super("Dockerfile line " + line + ": " + message, cause);
        this.line = line;
    }

    /** The 1-based line the error is on. */
    public int line() {
        return line;
    }
}
