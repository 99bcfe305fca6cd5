package dev.agentkernel.copy;

import java.util.List;

/** A finished {@code cp}: where the root went, the entries and file bytes moved, and what was skipped. */
public record CopyResult(String destination, long entries, long bytes, List<String> skipped) {
    public CopyResult {
        skipped = List.copyOf(skipped);
    }
}
