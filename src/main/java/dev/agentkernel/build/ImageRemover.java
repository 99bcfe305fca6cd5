package dev.agentkernel.build;

import dev.agentkernel.engine.ContainerEngine;
import dev.agentkernel.engine.EngineKind;
import dev.agentkernel.errors.StoreException;
import dev.agentkernel.errors.ToolException;
import dev.agentkernel.errors.UserInputException;
import dev.agentkernel.store.FileLocks;
import dev.agentkernel.store.ImageRecord;
import dev.agentkernel.store.ImageRemovalHook;
import dev.agentkernel.store.ImageStore;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code images rm}: removes an image's metadata and, for a built image, the engine's {@code agentkernel-NAME}
 * (an engine that no longer has it is fine), then runs the removal hooks (blobs, rootfs cache entries). The engine
 * image goes first, so that when the engine fails the metadata is still there to try again.
 */
public final class ImageRemover {
    private final ImageStore store;
    private final EngineLookup engines;
    private final List<ImageRemovalHook> hooks;

    public ImageRemover(ImageStore store, EngineLookup engines, List<ImageRemovalHook> hooks) {
        this.store = store;
        this.engines = engines;
        this.hooks = List.copyOf(hooks);
    }

    /** What happened to the engine's copy of a removed image. */
    public enum EngineImage {
        /** The engine removed it. */
        REMOVED,
        /** The engine no longer had it. */
        ALREADY_GONE,
        /** Not a built image: no engine holds it. */
        NONE,
        /** Left alone: the engine is not installed, or the metadata was unreadable (see the warnings). */
        LEFT
    }

    /**
     * One removed image.
     *
     * @param record null when the metadata file was unreadable and deleted as it was
     */
    public record Removal(String name, ImageRecord record, EngineImage engineImage, List<String> warnings) {
        public Removal {
            warnings = List.copyOf(warnings);
        }
    }

    /**
     * Removes every named image. When a name is unknown, nothing is removed.
     *
     * @throws UserInputException naming the unknown images
     */
    public List<Removal> remove(List<String> names) {
        if (names.isEmpty()) {
            throw new UserInputException("name at least one image to remove");
        }
        List<String> unknown = names.stream().filter(n -> !store.contains(n)).distinct().toList();
        if (!unknown.isEmpty()) {
            throw new UserInputException((unknown.size() == 1 ? "no image named '" + unknown.get(0) + "'"
                    : "no images named '" + String.join("', '", unknown) + "'")
                    + " (see 'agentkernel images'); nothing was removed");
        }
        List<Removal> removals = new ArrayList<>();
        for (String name : names.stream().distinct().toList()) {
            removeOne(name).ifPresent(removals::add);
        }
        return removals;
    }

    private Optional<Removal> removeOne(String name) {
        try (FileLocks.Held ignored = store.lockName(name)) {
            ImageRecord record;
            try {
                Optional<ImageRecord> found = store.get(name);
                if (found.isEmpty()) {
                    return Optional.empty(); // removed by someone else meanwhile
                }
                record = found.get();
            } catch (StoreException unreadable) {
                store.delete(name);
                return Optional.of(new Removal(name, null, EngineImage.LEFT, List.of(
                        "its metadata " + store.fileOf(name) + " was unreadable and is deleted; an engine image"
                                + " it named, if any, was left alone")));
            }
            List<String> warnings = new ArrayList<>();
            EngineImage engineImage = removeEngineImage(record, warnings);
            store.delete(name);
            warnings.addAll(RemovalHooks.run(hooks, record, store));
            return Optional.of(new Removal(name, record, engineImage, warnings));
        }
    }

    private EngineImage removeEngineImage(ImageRecord record, List<String> warnings) {
        if (record.build() == null || record.build().isNative()) {
            return EngineImage.NONE;
        }
        String ref = record.build().engineReference();
        ContainerEngine engine;
        try {
            engine = engines.forKind(EngineKind.ofProgram(record.build().engine()));
        } catch (ToolException | IllegalArgumentException e) {
            warnings.add(e.getMessage() + "; its image " + ref + " was left alone");
            return EngineImage.LEFT;
        }
        return engine.remove(ref) ? EngineImage.REMOVED : EngineImage.ALREADY_GONE;
    }
}
