package dev.agentkernel.store;

/**
 * Told when an image's metadata has left the store ({@code images rm}, {@code images sync}), so that what other
 * stages keep for that image can go too: the blobs of a pulled image no other image uses, the rootfs cache
 * entries made from it. Hooks run after the metadata file is deleted and outside the store lock; a hook that
 * throws is reported as a warning and does not stop the others.
 *
 * <p>The command line lists the hooks in one place, {@code dev.agentkernel.cli.ImageRemovalHooks}.
 */
@FunctionalInterface
public interface ImageRemovalHook {
    /**
     * @param removed the record that was removed
     * @param store   the store as it is now (without {@code removed}), e.g. to see which blobs are still in use
     */
    void imageRemoved(ImageRecord removed, ImageStore store);
}
