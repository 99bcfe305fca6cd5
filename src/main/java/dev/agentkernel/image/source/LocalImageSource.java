package dev.agentkernel.image.source;

import dev.agentkernel.engine.ContainerEngine;
import dev.agentkernel.engine.EngineChoice;
import dev.agentkernel.engine.EngineKind;
import dev.agentkernel.errors.ImageException;
import dev.agentkernel.errors.UserInputException;
import dev.agentkernel.image.Descriptor;
import dev.agentkernel.image.Digest;
import dev.agentkernel.store.BlobStore;
import dev.agentkernel.store.ImageRecord;
import dev.agentkernel.store.ImageStore;

/**
 * A bare NAME from agentkernel's image store: an image built by an engine is exported from it, a natively
 * built or pulled one is read from the blob store, an imported one from where it was imported from.
 */
final class LocalImageSource {
    private LocalImageSource() {
    }

    static ImageSource open(SourceSpec.LocalImage spec, SourceOptions options) {
        ImageStore store = new ImageStore(options.home());
        ImageRecord record = store.get(spec.name()).orElseThrow(() -> new UserInputException(
                "no local image named '" + spec.name() + "' (see 'agentkernel images'); for files give the format, "
                        + "e.g. oci:DIR, oci-archive:FILE or docker-archive:FILE"));
        switch (record.origin()) {
            case BUILT: {
                if (record.build().isNative()) {
                    return fromBlobStore(record, spec, options);
                }
                ContainerEngine engine = ContainerEngine.detect(
                        EngineChoice.of(EngineKind.ofProgram(record.build().engine())));
                return ExportedArchiveSource.export(engine, record.build().engineReference(), options, spec.name());
            }
            case PULLED: {
                return fromBlobStore(record, spec, options);
            }
            case IMPORTED:
            default: {
                SourceSpec origin = SourceSpec.parse(record.source().reference());
                if (origin instanceof SourceSpec.LocalImage) {
                    throw new ImageException("image '" + spec.name() + "' was imported from '" + origin
                            + "', which is not a file or engine source");
                }
                return ImageSources.open(origin, options);
            }
        }
    }

    /** A pulled or natively built image: its manifest and blobs are in the blob store. */
    private static ImageSource fromBlobStore(ImageRecord record, SourceSpec.LocalImage spec, SourceOptions options) {
        Digest manifest = record.source().manifestDigest();
        String again = record.origin() == dev.agentkernel.store.ImageOrigin.BUILT ? "build it again" : "pull it again";
        if (manifest == null) {
            throw new ImageException("image '" + spec.name() + "' records no manifest digest; " + again);
        }
        BlobStore blobs = BlobStore.of(options.home());
        long size = blobs.size(manifest);
        if (size < 0) {
            throw new ImageException("the manifest of image '" + spec.name() + "' (" + manifest
                    + ") is not in the blob store; " + again);
        }
        Descriptor d = Descriptor.of(null, manifest, size);
        return new TreeSource(new BlobStoreTree(blobs),
                tree -> OciLayoutReader.resolve(tree, d, options.platform(), spec.name()));
    }
}
