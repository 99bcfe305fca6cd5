package dev.agentkernel.agent;

/**
 * How a command ended: {@code exitCode} is its status, or 128+N when signal N killed it ({@code signal} N, else
 * 0); {@code timedOut} when the agent killed it at its timeout (exit code 137).
 */
public record ExitStatus(int exitCode, int signal, boolean timedOut, boolean coreDumped) {
    static ExitStatus of(WireObject event) {
        return new ExitStatus((int) event.integer("exit_code", 0, 255), (int) event.optInteger("signal", 1, 127, 0),
                event.optBoolean("timed_out", false), event.optBoolean("core_dumped", false));
    }
}
