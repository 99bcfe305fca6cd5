package dev.agentkernel.build;

import dev.agentkernel.store.ImageRecord;
import dev.agentkernel.store.ImageRemovalHook;
import dev.agentkernel.store.ImageStore;

import java.util.ArrayList;
import java.util.List;

/** Runs every removal hook for a removed record; a failing hook becomes a warning, the others still run. */
final class RemovalHooks {
    private RemovalHooks() {
    }

    static List<String> run(List<ImageRemovalHook> hooks, ImageRecord removed, ImageStore store) {
        List<String> warnings = new ArrayList<>();
        for (ImageRemovalHook hook : hooks) {
            try {
                hook.imageRemoved(removed, store);
            } catch (RuntimeException e) {
                warnings.add("clean-up after removing " + removed.name() + " failed: " + e.getMessage());
            }
        }
        return warnings;
    }
}
