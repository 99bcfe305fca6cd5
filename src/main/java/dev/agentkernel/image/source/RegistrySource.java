package dev.agentkernel.image.source;

import dev.agentkernel.errors.ImageException;
import dev.agentkernel.image.Descriptor;
import dev.agentkernel.image.Digest;
import dev.agentkernel.image.Image;
import dev.agentkernel.image.ImageConfig;
import dev.agentkernel.image.ImageLayer;
import dev.agentkernel.image.ImageReference;
import dev.agentkernel.image.Manifest;
import dev.agentkernel.image.json.ImageJsonTranslator;
import dev.agentkernel.image.json.ImageJsonTranslator.ManifestDocument;
import dev.agentkernel.registry.PullService;
import dev.agentkernel.registry.PullListener;
import dev.agentkernel.registry.PulledImage;
import dev.agentkernel.registry.RegistryOptions;
import dev.agentkernel.store.BlobStore;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code docker://REF}: pulls the image as {@code agentkernel pull} does (into the blob store, downloading only
 * the blobs it does not have, and recorded in the image store, so {@code images} shows it and {@code images rm}
 * frees its blobs) and serves it from the blob store. {@link #stored} reads an image pulled earlier.
 */
public final class RegistrySource implements ImageSource {
    private final Image image;

    private RegistrySource(Image image) {
        this.image = image;
    }

    /** Pulls {@code spec} with credentials from the Docker config, reporting progress to {@code listener}. */
    public static RegistrySource open(SourceSpec.Registry spec, SourceOptions options, RegistryOptions registry,
                                      PullListener listener) {
        ImageReference reference = ImageReference.parse(spec.reference());
        PulledImage pulled = new PullService(options.home(), registry, Clock.systemUTC())
                .pull(reference, options.platform(), listener).image();
        return new RegistrySource(stored(BlobStore.of(options.home()), pulled.manifestDigest(), spec.toString()));
    }

    /** Pulls {@code spec} with default registry options and no progress output. */
    public static RegistrySource open(SourceSpec.Registry spec, SourceOptions options) {
        return open(spec, options, RegistryOptions.defaults(), PullListener.NONE);
    }

    /**
     * The image whose manifest {@code manifestDigest} is in the blob store, with its config and layers read
     * from there (each verified as it is read). A missing blob is a clear error naming the image.
     */
    public static Image stored(BlobStore blobs, Digest manifestDigest, String sourceName) {
        if (!blobs.contains(manifestDigest)) {
            throw new ImageException(sourceName + ": its manifest " + manifestDigest + " is not in the blob store;"
                    + " pull the image again");
        }
        ManifestDocument document = ImageJsonTranslator.manifestOrIndex(blobs.read(manifestDigest), null,
                sourceName + " manifest " + manifestDigest);
        if (!(document instanceof ManifestDocument.Single single)) {
            throw new ImageException(sourceName + ": " + manifestDigest + " is an index, not an image manifest");
        }
        Manifest manifest = single.manifest();
        Digest configDigest = manifest.config().digest();
        requirePresent(blobs, configDigest, sourceName);
        ImageConfig config = ImageJsonTranslator.config(blobs.read(configDigest), sourceName + " config " + configDigest);
        List<ImageLayer> layers = new ArrayList<>();
        List<Descriptor> descriptors = manifest.layers();
        for (int i = 0; i < descriptors.size(); i++) {
            Descriptor d = descriptors.get(i);
            requirePresent(blobs, d.digest(), sourceName);
            Digest diffId = i < config.diffIds().size() ? config.diffIds().get(i) : d.digest();
            layers.add(new ImageLayer(i + 1, descriptors.size(), d, diffId, true, () -> blobs.open(d.digest())));
        }
        return new Image(sourceName, manifestDigest, manifest, config, layers);
    }

    private static void requirePresent(BlobStore blobs, Digest digest, String sourceName) {
        if (!blobs.contains(digest)) {
            throw new ImageException(sourceName + ": blob " + digest + " is missing from the blob store;"
                    + " pull the image again");
        }
    }

    @Override
    public Image image() {
        return image;
    }

    @Override
    public void close() {
        // Blobs stay in the blob store, shared with other images.
    }
}
