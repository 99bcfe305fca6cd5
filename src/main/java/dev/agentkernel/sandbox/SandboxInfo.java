package dev.agentkernel.sandbox;

import java.util.List;

/**
 * A sandbox as {@code list} and {@code inspect} show it: its record, its derived status, and what its files
 * say about it now.
 *
 * @param monitorPid the running monitor's pid, or 0
 * @param diskBytes  the bytes its own disk (the copy-on-write layer) takes on the host
 * @param exitReason for an {@code exited} sandbox: why the monitor ended, as far as is known
 * @param console    for an {@code exited} sandbox: the last console lines
 * @param startedFrom for a running sandbox: {@code boot}, or {@code snapshot <key or name>} when its VM was
 *                   restored from a saved state (null otherwise)
 */
public record SandboxInfo(SandboxRecord record, SandboxStatus status, long monitorPid, String startedAt,
                          long diskBytes, String exitReason, List<String> console, String startedFrom) {
    public String name() {
        return record.name();
    }
}
