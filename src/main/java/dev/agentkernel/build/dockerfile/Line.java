package dev.agentkernel.build.dockerfile;

/**
 * Where an instruction is in the Dockerfile and what it says: its first and last physical line (1-based; a
 * heredoc body and continuation lines count) and its text with continuations joined, heredoc bodies left out.
 */
public record Line(int start, int end, String text) {
    public Line {
        if (start < 1 || end < start) {
            throw new IllegalArgumentException("bad line range " + start + "-" + end);
        }
    }

    /** An error about this instruction. */
    DockerfileException error(String message) {
        return new DockerfileException(start, message);
    }

    DockerfileException error(String message, Throwable cause) {
        return new DockerfileException(start, message, cause);
    }
}
