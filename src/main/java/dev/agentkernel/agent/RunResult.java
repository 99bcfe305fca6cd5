package dev.agentkernel.agent;

/**
 * The outcome of a command run in the guest. {@code exitCode} is 128+N when signal N ended it (137 after a
 * timeout) and 127 when it could not start ({@code error} then says why). The output of each stream is cut
 * at the agent's limit, and the flags say when that happened.
 */
public record RunResult(int exitCode, String stdout, String stderr, boolean timedOut, boolean stdoutTruncated,
                        boolean stderrTruncated, String error) {
}
