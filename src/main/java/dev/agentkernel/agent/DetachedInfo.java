package dev.agentkernel.agent;

import java.time.Instant;
import java.util.List;

/**
 * A detached command as {@code exec_list} reports it. {@code exitCode} and {@code endedAt} are null while it
 * runs; {@code signal} is 0 unless a signal ended it; {@code startedAt} may be null when the agent lost it.
 */
public record DetachedInfo(long session, List<String> command, long pid, boolean running, Integer exitCode,
                           int signal, boolean timedOut, Instant startedAt, Instant endedAt) {
    public DetachedInfo {
        command = List.copyOf(command);
    }
}
