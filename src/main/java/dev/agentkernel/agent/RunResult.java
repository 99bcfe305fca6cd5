package dev.agentkernel.agent;

import java.nio.charset.StandardCharsets;

/**
 * The outcome of a command run in the guest. {@code exitCode} is 128+N when signal N ended it (137 after a
 * timeout) and 127 when it could not start ({@code error} then says why). The output of each stream is cut
 * at the agent's limit, and the flags say when that happened. Output is kept as the bytes the command wrote,
 * whether or not they are text.
 */
public record RunResult(int exitCode, byte[] stdoutBytes, byte[] stderrBytes, boolean timedOut,
                        boolean stdoutTruncated, boolean stderrTruncated, String error) {
    /** The standard output as UTF-8 text (bytes that are not UTF-8 read as U+FFFD). */
    public String stdout() {
        return new String(stdoutBytes, StandardCharsets.UTF_8);
    }

    /** The standard error as UTF-8 text (bytes that are not UTF-8 read as U+FFFD). */
    public String stderr() {
        return new String(stderrBytes, StandardCharsets.UTF_8);
    }
}
