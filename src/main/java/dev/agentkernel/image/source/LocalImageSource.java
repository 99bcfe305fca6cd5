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
 * A bare NAME from agentkernel's image store: a built image is exported from the engine that built it, a
 * pulled one is read from the blob store, an imported one from where it was imported from.
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
                ContainerEngine engine = ContainerEngine.detect(
                        EngineChoice.of(EngineKind.ofProgram(record.build().engine())));
                return ExportedArchiveSource.export(engine, record.build().engineReference(), options, spec.name());
            }
            case PULLED: {
                Digest manifest = record.source().manifestDigest();
                if (manifest == null) {
                    throw new ImageException("image '" + spec.name() + "' records no manifest digest; pull it again");
                }
                BlobStore blobs = BlobStore.of(options.home());
                long size = blobs.size(manifest);
                if (size < 0) {
                    throw new ImageException("the manifest of image '" + spec.name() + "' (" + manifest
                            + ") is not in the blob store; pull it again");
                }
                Descriptor d = Descriptor.of(null, manifest, size);
                return new TreeSource(new BlobStoreTree(blobs),
                        tree -> OciLayoutReader.resolve(tree, d, options.platform(), spec.name()));
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
}
