package dev.agentkernel.build;

import dev.agentkernel.engine.ContainerEngine;
import dev.agentkernel.engine.EngineKind;
import dev.agentkernel.errors.StoreException;
import dev.agentkernel.errors.ToolException;
import dev.agentkernel.store.FileLocks;
import dev.agentkernel.store.ImageOrigin;
import dev.agentkernel.store.ImageRecord;
import dev.agentkernel.store.ImageRemovalHook;
import dev.agentkernel.store.ImageStore;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code images sync}: drops the metadata of built images whose engine image is gone (removed with
 * {@code podman rmi}, a reset engine storage), running the removal hooks for each. Pulled and imported images
 * have no engine image and are left alone, as are images whose engine is not installed (with a warning).
 */
public final class ImageSync {
    private final ImageStore store;
    private final EngineLookup engines;
    private final List<ImageRemovalHook> hooks;

    public ImageSync(ImageStore store, EngineLookup engines, List<ImageRemovalHook> hooks) {
        this.store = store;
        this.engines = engines;
        this.hooks = List.copyOf(hooks);
    }

    /** The records dropped, and what could not be checked. */
    public record Result(List<ImageRecord> dropped, List<String> warnings) {
        public Result {
            dropped = List.copyOf(dropped);
            warnings = List.copyOf(warnings);
        }
    }

    public Result sync() {
        ImageStore.Listing listing = store.list();
        List<String> warnings = new ArrayList<>();
        listing.problems().forEach(p -> warnings.add("skipped " + p));
        Map<EngineKind, Optional<ContainerEngine>> found = new HashMap<>();
        List<ImageRecord> dropped = new ArrayList<>();
        for (ImageRecord record : listing.images()) {
            if (record.origin() != ImageOrigin.BUILT || record.build().isNative()) {
                continue;
            }
            Optional<ContainerEngine> engine = engineFor(record, found, warnings);
            if (engine.isPresent() && !engine.get().exists(record.build().engineReference())) {
                dropIfStillGone(record, engine.get()).ifPresent(dropped::add);
            }
        }
        for (ImageRecord record : dropped) {
            warnings.addAll(RemovalHooks.run(hooks, record, store));
        }
        return new Result(dropped, warnings);
    }

    private Optional<ContainerEngine> engineFor(ImageRecord record, Map<EngineKind, Optional<ContainerEngine>> found,
                                                List<String> warnings) {
        EngineKind kind;
        try {
            kind = EngineKind.ofProgram(record.build().engine());
        } catch (IllegalArgumentException e) {
            warnings.add("kept " + record.name() + ": " + e.getMessage());
            return Optional.empty();
        }
        return found.computeIfAbsent(kind, k -> {
            try {
                return Optional.of(engines.forKind(k));
            } catch (ToolException e) {
                warnings.add("kept the images built with " + k.program() + ", which cannot be checked: "
                        + e.getMessage());
                return Optional.empty();
            }
        });
    }

    /** Re-checks under the name's lock (a build of the same name may have just finished) and deletes. */
    private Optional<ImageRecord> dropIfStillGone(ImageRecord seen, ContainerEngine engine) {
        try (FileLocks.Held ignored = store.lockName(seen.name())) {
            Optional<ImageRecord> now;
            try {
                now = store.get(seen.name());
            } catch (StoreException unreadable) {
                return Optional.empty();
            }
            if (now.isEmpty() || !now.get().equals(seen) || engine.exists(seen.build().engineReference())) {
                return Optional.empty();
            }
            store.delete(seen.name());
            return Optional.of(seen);
        }
    }
}
