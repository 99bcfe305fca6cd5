package dev.agentkernel.registry;

import dev.agentkernel.errors.AgentkernelException;
import dev.agentkernel.errors.ImageException;
import dev.agentkernel.image.Descriptor;
import dev.agentkernel.image.Digest;
import dev.agentkernel.image.ImageConfig;
import dev.agentkernel.image.ImageReference;
import dev.agentkernel.image.Manifest;
import dev.agentkernel.image.MediaTypes;
import dev.agentkernel.image.Platform;
import dev.agentkernel.image.json.ImageJsonTranslator;
import dev.agentkernel.image.json.ImageJsonTranslator.ManifestDocument;
import dev.agentkernel.registry.PullListener.BlobKind;
import dev.agentkernel.store.BlobStore;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Pulls an image into the blob store: resolves the reference to a manifest (choosing the platform's entry
 * from an index), then downloads the config and the layers the store does not have yet, a few at a time.
 * Manifests, config and layers are stored under their digests, each verified before it is kept.
 */
public final class ImagePuller {
    private final BlobStore blobs;
    private final RegistryOptions options;
    private final PullListener listener;

    public ImagePuller(BlobStore blobs, RegistryOptions options, PullListener listener) {
        this.blobs = blobs;
        this.options = options;
        this.listener = listener;
    }

    /** Pulls {@code reference} for {@code platform} (used only when the reference names an index). */
    public PulledImage pull(ImageReference reference, Platform platform) {
        RegistryClient client = RegistryClient.forRegistryOf(reference, options);
        Resolved resolved = resolve(client, reference, platform);
        listener.resolved(reference.toString(), resolved.digest, resolved.manifest.layers().size());
        AtomicInteger downloaded = new AtomicInteger();
        AtomicLong bytes = new AtomicLong();
        Descriptor configDescriptor = resolved.manifest.config();
        fetch(client, reference, BlobKind.CONFIG, 0, configDescriptor, downloaded, bytes);
        ImageConfig config = ImageJsonTranslator.config(blobs.read(configDescriptor.digest()),
                reference + " config " + configDescriptor.digest());
        fetchLayers(client, reference, resolved.manifest, downloaded, bytes);
        return new PulledImage(reference, resolved.digest, resolved.manifest, config, resolved.platform,
                downloaded.get(), bytes.get());
    }

    private record Resolved(Digest digest, Manifest manifest, Optional<Platform> platform) {
    }

    private Resolved resolve(RegistryClient client, ImageReference reference, Platform platform) {
        ManifestResponse top = manifestOf(client, reference, reference.digest());
        ManifestDocument document = ImageJsonTranslator.manifestOrIndex(top.body(), knownType(top.mediaType()),
                "manifest of " + reference);
        if (document instanceof ManifestDocument.Single single) {
            blobs.put(top.digest(), top.body());
            return new Resolved(top.digest(), single.manifest(), Optional.empty());
        }
        // The index itself is not kept: no stored image would name it, so nothing would ever remove it.
        Descriptor chosen;
        try {
            chosen = ((ManifestDocument.Index) document).index().select(platform);
        } catch (ImageException e) {
            throw new ImageException(reference + ": " + e.getMessage(), e);
        }
        ManifestResponse child = manifestOf(client, reference, Optional.of(chosen.digest()));
        if (child.body().length != chosen.size()) {
            throw new ImageException(reference + ": the index says manifest " + chosen.digest() + " has "
                    + chosen.size() + " bytes, but it has " + child.body().length);
        }
        ManifestDocument inner = ImageJsonTranslator.manifestOrIndex(child.body(), chosen.mediaType(),
                "manifest " + chosen.digest() + " of " + reference);
        if (!(inner instanceof ManifestDocument.Single single)) {
            throw new ImageException(reference + ": the index entry for " + platform + " is itself an index;"
                    + " nested indexes are not supported");
        }
        blobs.put(child.digest(), child.body());
        return new Resolved(child.digest(), single.manifest(), chosen.platform().or(() -> Optional.of(platform)));
    }

    /** A Content-Type that names a manifest kind; others ("application/json", none) leave it to the document. */
    private static String knownType(String contentType) {
        return contentType != null && MediaTypes.MANIFEST_TYPES.contains(contentType) ? contentType : null;
    }

    /** A manifest by digest comes from the blob store when it is there (no network); by tag, always asked. */
    private ManifestResponse manifestOf(RegistryClient client, ImageReference reference, Optional<Digest> digest) {
        if (digest.isPresent() && blobs.contains(digest.get())) {
            return new ManifestResponse(blobs.read(digest.get()), null, digest.get());
        }
        return digest.isPresent() ? client.manifest(reference, digest.get()) : client.manifest(reference);
    }

    private void fetchLayers(RegistryClient client, ImageReference reference, Manifest manifest,
                             AtomicInteger downloaded, AtomicLong bytes) {
        Map<Digest, Integer> unique = new LinkedHashMap<>();
        List<Descriptor> layers = manifest.layers();
        for (int i = 0; i < layers.size(); i++) {
            unique.putIfAbsent(layers.get(i).digest(), i + 1);
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(options.parallelDownloads(), Math.max(1, unique.size())),
                r -> {
                    Thread t = new Thread(r, "agentkernel-pull");
                    t.setDaemon(true);
                    return t;
                });
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (Map.Entry<Digest, Integer> e : unique.entrySet()) {
                Descriptor layer = layers.get(e.getValue() - 1);
                futures.add(pool.submit(() -> fetch(client, reference, BlobKind.LAYER, e.getValue(), layer,
                        downloaded, bytes)));
            }
            for (Future<?> f : futures) {
                await(f);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static void await(Future<?> future) {
        try {
            future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException("interrupted while pulling", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof AgentkernelException ae) {
                throw ae;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new RegistryException("pull failed: " + cause, cause);
        }
    }

    private void fetch(RegistryClient client, ImageReference reference, BlobKind kind, int number, Descriptor blob,
                       AtomicInteger downloaded, AtomicLong bytes) {
        if (blobs.contains(blob.digest())) {
            listener.cached(kind, number, blob);
            return;
        }
        try (BlobStore.PendingBlob pending = blobs.begin(blob.digest(), blob.size())) {
            if (pending.alreadyStored()) {
                listener.cached(kind, number, blob); // another process fetched it while we waited for the lock
                return;
            }
            long from = pending.resumeFrom();
            listener.started(kind, number, blob, from);
            client.blob(reference, blob.digest(), blob.size(), pending, n -> listener.progress(kind, number, blob, n));
            downloaded.incrementAndGet();
            bytes.addAndGet(blob.size() - from);
            listener.finished(kind, number, blob);
        }
    }
}
