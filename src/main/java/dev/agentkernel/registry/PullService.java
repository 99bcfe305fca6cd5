package dev.agentkernel.registry;

import dev.agentkernel.image.ImageReference;
import dev.agentkernel.image.Platform;
import dev.agentkernel.store.AgentkernelHome;
import dev.agentkernel.store.BlobStore;
import dev.agentkernel.store.ImageRecord;
import dev.agentkernel.store.ImageStore;

import java.time.Clock;

/**
 * {@code agentkernel pull}: pulls an image into the blob store and records it in the image store under its
 * familiar reference ({@code python:3.12}, {@code localhost:5000/app:1}), with origin PULLED, the full
 * reference and the manifest digest, so {@code images} lists it and {@code rootfs NAME} finds its blobs.
 */
public final class PullService {
    private final AgentkernelHome home;
    private final RegistryOptions options;
    private final Clock clock;

    public PullService(AgentkernelHome home, RegistryOptions options, Clock clock) {
        this.home = home;
        this.options = options;
        this.clock = clock;
    }

    /** What a pull stored. */
    public record Result(ImageRecord record, PulledImage image) {
    }

    public Result pull(ImageReference reference, Platform platform, PullListener listener) {
        BlobStore blobs = BlobStore.of(home);
        ImagePuller puller = new ImagePuller(blobs, options, listener);
        PulledImage pulled = puller.pull(reference, platform);
        ImageRecord record = ImageRecord.pulled(nameOf(reference), pulled.id(), pulled.size(), clock.instant(),
                pulled.config().labels(), new ImageRecord.SourceInfo(reference.toString(), pulled.manifestDigest(),
                        pulled.selectedPlatform().map(Platform::toString).orElse(null)));
        new ImageStore(home).put(record);
        // An `images rm` of another image sharing blobs may have run while we downloaded and taken a blob we
        // found present; pulling again now that our record protects them puts back whatever is missing.
        if (!allBlobsPresent(blobs, pulled)) {
            pulled = puller.pull(reference.withDigest(pulled.manifestDigest()), platform);
        }
        return new Result(record, pulled);
    }

    /** The name a pulled image has in the image store: the reference as Docker shows it. */
    public static String nameOf(ImageReference reference) {
        return reference.familiarString();
    }

    private static boolean allBlobsPresent(BlobStore blobs, PulledImage pulled) {
        if (!blobs.contains(pulled.manifestDigest()) || !blobs.contains(pulled.id())) {
            return false;
        }
        return pulled.manifest().layers().stream().allMatch(d -> blobs.contains(d.digest()));
    }
}
