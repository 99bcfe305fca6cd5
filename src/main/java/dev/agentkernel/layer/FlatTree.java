package dev.agentkernel.layer;

import java.util.List;

/**
 * The merged root filesystem of an image's layers. Entries come depth first with siblings sorted by name, so a
 * directory always precedes its contents and a hard link always follows the entry it names. The root directory
 * ({@code ""}) is the first entry.
 *
 * @param entries the entries in that order
 * @param storedBytes bytes handed to the {@link ContentSink} (including content later discarded)
 * @param discardedBytes bytes stored speculatively and then discarded as hidden
 */
public record FlatTree(List<FlatEntry> entries, long storedBytes, long discardedBytes) {
    public FlatTree {
        entries = List.copyOf(entries);
    }
}
