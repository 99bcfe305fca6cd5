package dev.agentkernel.builder;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.errors.ImageException;
import dev.agentkernel.errors.StoreException;
import dev.agentkernel.errors.UserInputException;
import dev.agentkernel.image.Descriptor;
import dev.agentkernel.image.Digest;
import dev.agentkernel.image.Image;
import dev.agentkernel.image.ImageLayer;
import dev.agentkernel.image.Platform;
import dev.agentkernel.image.source.ImageSource;
import dev.agentkernel.image.source.ImageSources;
import dev.agentkernel.image.source.SourceOptions;
import dev.agentkernel.image.source.SourceSpec;
import dev.agentkernel.store.AgentkernelHome;
import dev.agentkernel.store.BlobStore;
import dev.agentkernel.store.ImageStore;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A stage's base image: its config, its layers (copied into the blob store when they are not there yet, since
 * the built image's manifest names them), and the source the build VM boots from. A FROM reference is a local
 * image of the store when one has that name, a source with a transport ({@code oci:DIR[:REF]},
 * {@code oci-archive:FILE}, {@code docker://REF}) as written, and otherwise a registry reference.
 */
record BaseImage(String source, JsonNode config, List<LayerBlob> layers) {
    static BaseImage open(String reference, Platform platform, AgentkernelHome home) {
        String source = sourceOf(reference, new ImageStore(home));
        SourceSpec spec = SourceSpec.parse(source);
        if (spec instanceof SourceSpec.DockerArchive || spec instanceof SourceSpec.DockerDaemon) {
            throw new UserInputException("FROM " + reference + ": the native builder takes its bases from the image"
                    + " store, a registry, oci: or oci-archive:, not " + source);
        }
        BlobStore blobs = BlobStore.of(home);
        try (ImageSource opened = ImageSources.open(spec, new SourceOptions(platform, home))) {
            Image image = opened.image();
            Descriptor configDescriptor = image.manifest().config();
            byte[] config = configBytes(blobs, spec, configDescriptor.digest(), reference);
            List<LayerBlob> layers = new ArrayList<>();
            for (ImageLayer layer : image.layers()) {
                Descriptor d = layer.descriptor();
                if (!blobs.contains(d.digest())) {
                    copyIn(blobs, layer);
                }
                layers.add(new LayerBlob(d.digest(), d.size(), d.mediaType() == null ? LayerBlob.GZIP_TAR
                        : d.mediaType(), layer.diffId()));
            }
            JsonNode parsed = ImageJson.parse(config, "the config of " + reference);
            String os = parsed.path("os").asText("");
            String arch = parsed.path("architecture").asText("");
            if (!os.isEmpty() && !arch.isEmpty()) {
                Platform own = Platform.of(os, arch, parsed.path("variant").asText(null));
                if (!platform.accepts(own)) {
                    throw new UserInputException("FROM " + reference + ": the image is for " + own + ", not for "
                            + platform + " (an image index offers several platforms; this is a single image)");
                }
            }
            return new BaseImage(source, parsed, layers);
        }
    }

    static String sourceOf(String reference, ImageStore store) {
        for (String transport : List.of("oci:", "oci-archive:", "docker-archive:", "docker-daemon:", "docker://")) {
            if (reference.startsWith(transport)) {
                return reference;
            }
        }
        if (store.contains(reference)) {
            return reference;
        }
        return "docker://" + reference;
    }

    private static byte[] configBytes(BlobStore blobs, SourceSpec spec, Digest digest, String reference) {
        if (blobs.contains(digest)) {
            return blobs.read(digest);
        }
        byte[] bytes;
        try {
            if (spec instanceof SourceSpec.OciLayout layout) {
                Path file = layout.dir().resolve("blobs").resolve(digest.algorithm()).resolve(digest.hex());
                if (Files.size(file) > 16 << 20) {
                    throw new ImageException("the config of " + reference + " is over 16 MiB");
                }
                bytes = Files.readAllBytes(file);
            } else {
                throw new ImageException("the config of " + reference + " (" + digest + ") is not in the blob store");
            }
        } catch (IOException e) {
            throw new ImageException("cannot read the config of " + reference + ": " + e.getMessage(), e);
        }
        if (!Digest.sha256(bytes).equals(digest)) {
            throw new ImageException("the config of " + reference + " does not match its digest " + digest);
        }
        blobs.put(digest, bytes);
        return bytes;
    }

    private static void copyIn(BlobStore blobs, ImageLayer layer) {
        Descriptor d = layer.descriptor();
        try (BlobStore.PendingBlob pending = blobs.begin(d.digest(), d.size())) {
            if (pending.alreadyStored()) {
                return;
            }
            pending.restart();
            try (InputStream in = layer.open()) {
                in.transferTo(pending.output());
            }
            pending.commit();
        } catch (IOException e) {
            throw new StoreException("cannot copy " + layer.name() + " into the blob store: " + e.getMessage(), e);
        }
    }
}
