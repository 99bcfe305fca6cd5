package dev.agentkernel.cli;

import dev.agentkernel.registry.PulledBlobCollector;
import dev.agentkernel.rootfs.RootfsCache;
import dev.agentkernel.store.AgentkernelHome;
import dev.agentkernel.store.BlobStore;
import dev.agentkernel.store.ImageRemovalHook;

import java.util.List;

/**
 * Everything that must go when an image leaves the store ({@code images rm}, {@code images sync}). The one place
 * to add a stage's clean-up: the blob store drops the blobs of a removed pulled image that no other image uses,
 * the rootfs cache drops the entries made from the image.
 */
final class ImageRemovalHooks {
    private ImageRemovalHooks() {
    }

    static List<ImageRemovalHook> forHome(AgentkernelHome home) {
        return List.of(new PulledBlobCollector(BlobStore.of(home)), RootfsCache.removalHook(home));
    }
}
