package dev.agentkernel.cli;

import java.io.PrintWriter;
import java.util.List;

/** Warnings on stderr, one line each; a command that had any exits with 1 after doing what it could. */
final class Warnings {
    private Warnings() {
    }

    /** Prints {@code warnings}; returns the exit code: 0 when there were none, else 1. */
    static int print(List<String> warnings, PrintWriter err) {
        for (String warning : warnings) {
            err.println("agentkernel: warning: " + warning);
        }
        err.flush();
        return warnings.isEmpty() ? 0 : 1;
    }
}
