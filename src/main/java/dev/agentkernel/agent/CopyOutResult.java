package dev.agentkernel.agent;

import java.util.List;

/**
 * A finished copy from the guest: the root's kind, the entries and file bytes that came, and what the agent
 * skipped (names that are not UTF-8, sockets, unreadable files: at most a few listed, {@code skippedCount}
 * all of them).
 */
public record CopyOutResult(EntryKind rootKind, long entries, long bytes, List<String> skipped, long skippedCount) {
    public CopyOutResult {
        skipped = List.copyOf(skipped);
    }
}
