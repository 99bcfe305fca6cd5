package dev.agentkernel.registry;

import dev.agentkernel.errors.ImageException;
import dev.agentkernel.errors.StoreException;
import dev.agentkernel.image.Descriptor;
import dev.agentkernel.image.Digest;
import dev.agentkernel.image.json.ImageJsonTranslator;
import dev.agentkernel.image.json.ImageJsonTranslator.ManifestDocument;
import dev.agentkernel.store.BlobStore;
import dev.agentkernel.store.FileLocks;
import dev.agentkernel.store.ImageRecord;
import dev.agentkernel.store.ImageRemovalHook;
import dev.agentkernel.store.ImageStore;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * When an image leaves the image store, deletes the blobs (manifest, config, layers) it used that no image
 * still in the store uses. Which blobs are in use is found by scanning the stored images' manifests, under
 * the image store's lock, so no reference count can drift from the truth. Partial downloads abandoned for a
 * day go too.
 */
public final class PulledBlobCollector implements ImageRemovalHook {
    private final BlobStore blobs;

    public PulledBlobCollector(BlobStore blobs) {
        this.blobs = blobs;
    }

    /** Partial downloads untouched this long are abandoned: a pull retried later starts those blobs afresh. */
    static final Duration ABANDONED_PARTIAL_AGE = Duration.ofDays(1);

    @Override
    public void imageRemoved(ImageRecord removed, ImageStore store) {
        removeUnsharedBlobs(removed, store);
        blobs.removePartialsOlderThan(Instant.now().minus(ABANDONED_PARTIAL_AGE));
    }

    private void removeUnsharedBlobs(ImageRecord removed, ImageStore store) {
        if (removed.source() == null || removed.source().manifestDigest() == null) {
            return;
        }
        try (FileLocks.Held ignored = store.lock()) {
            Set<Digest> candidates = reachable(removed.source().manifestDigest());
            if (candidates.isEmpty()) {
                return;
            }
            for (ImageRecord other : store.list().images()) {
                if (other.source() != null && other.source().manifestDigest() != null) {
                    candidates.removeAll(reachable(other.source().manifestDigest()));
                }
            }
            for (Digest digest : candidates) {
                blobs.delete(digest);
            }
        }
    }

    /** The manifest and every blob it names (through an index, its entries too), as far as they are stored. */
    Set<Digest> reachable(Digest manifestDigest) {
        Set<Digest> result = new LinkedHashSet<>();
        collect(manifestDigest, result, 0);
        return result;
    }

    private void collect(Digest digest, Set<Digest> result, int depth) {
        if (!blobs.contains(digest) || !result.add(digest) || depth > 4) {
            return;
        }
        ManifestDocument document;
        try {
            document = ImageJsonTranslator.manifestOrIndex(blobs.read(digest), null, "blob " + digest);
        } catch (ImageException | StoreException e) {
            return; // unreadable: keep what it may name rather than guess
        }
        if (document instanceof ManifestDocument.Single single) {
            result.add(single.manifest().config().digest());
            for (Descriptor layer : single.manifest().layers()) {
                result.add(layer.digest());
            }
        } else if (document instanceof ManifestDocument.Index index) {
            for (Descriptor entry : index.index().manifests()) {
                collect(entry.digest(), result, depth + 1);
            }
        }
    }
}
