package dev.agentkernel.builder;

import dev.agentkernel.errors.AgentkernelException;

import java.util.List;

/** A RUN step that failed: names its line and exit status and carries the tail of its output. */
public final class BuildStepException extends AgentkernelException {
    private final int line;
    private final int exitCode;

    BuildStepException(int line, String createdBy, int exitCode, List<String> tail) {
        super("Dockerfile line " + line + ": " + createdBy + " failed with exit code " + exitCode
                + (tail.isEmpty() ? " (no output)" : "; its last output:\n  " + String.join("\n  ", tail)));
        this.line = line;
        this.exitCode = exitCode;
    }

    public int line() {
        return line;
    }

    public int stepExitCode() {
        return exitCode;
    }
}
