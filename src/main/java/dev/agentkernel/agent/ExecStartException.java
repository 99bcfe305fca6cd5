package dev.agentkernel.agent;

import dev.agentkernel.errors.AgentkernelException;
import dev.agentkernel.errors.Quote;

/**
 * A command the agent could not start: no such program (exit code 127), not executable, a bad working
 * directory or an unknown user (126). The command line exits with that code, as {@code docker exec} does.
 */
public final class ExecStartException extends AgentkernelException {
    private final int exitCode;

    ExecStartException(String program, Reply reply) {
        super("cannot start " + Quote.name(program) + " in the sandbox: " + reply.quotedError());
        Integer code = reply.exitCode();
        this.exitCode = code != null && code > 0 ? code : 126;
    }

    @Override
    public int exitCode() {
        return exitCode;
    }
}
