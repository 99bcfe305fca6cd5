package dev.agentkernel.image.source;

import dev.agentkernel.errors.ImageException;
import dev.agentkernel.image.Descriptor;
import dev.agentkernel.image.Image;
import dev.agentkernel.image.ImageConfig;
import dev.agentkernel.image.ImageIndex;
import dev.agentkernel.image.ImageLayer;
import dev.agentkernel.image.Manifest;
import dev.agentkernel.image.MediaTypes;
import dev.agentkernel.image.Platform;
import dev.agentkernel.image.json.ImageJsonTranslator;
import dev.agentkernel.image.json.ImageJsonTranslator.ManifestDocument;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Reads an image from an OCI image layout ({@code oci-layout}, {@code index.json}, {@code blobs/}), whether a
 * directory or an archive: picks the entry of {@code index.json} by ref name, resolves nested indexes by
 * platform, and checks every blob it reads.
 */
final class OciLayoutReader {
    /** Docker and containerd name layout entries with the full image name in this annotation. */
    static final String CONTAINERD_IMAGE_NAME = "io.containerd.image.name";

    private OciLayoutReader() {
    }

    static Image read(FileTree tree, Optional<String> ref, Platform platform, String sourceName) {
        if (!tree.exists("index.json")) {
            throw new ImageException(tree.describe() + " is not an OCI image layout: it has no index.json");
        }
        if (!tree.exists("oci-layout")) {
            throw new ImageException(tree.describe() + " is not an OCI image layout: it has no oci-layout file");
        }
        byte[] indexJson;
        try {
            indexJson = tree.readSmall("index.json", LayoutBlobs.METADATA_LIMIT);
        } catch (IOException e) {
            throw new ImageException("cannot read index.json of " + tree.describe() + ": " + e.getMessage(), e);
        }
        ImageIndex top = ImageJsonTranslator.index(indexJson, MediaTypes.OCI_INDEX, tree.describe() + "/index.json");
        Descriptor chosen = chooseEntry(top, ref, platform, tree.describe());
        return resolve(tree, chosen, platform, sourceName, 0);
    }

    private static Descriptor chooseEntry(ImageIndex top, Optional<String> ref, Platform platform, String where) {
        if (ref.isPresent()) {
            String wanted = ref.get();
            List<Descriptor> named = top.manifests().stream()
                    .filter(d -> d.refName().map(wanted::equals).orElse(false)
                            || wanted.equals(d.annotations().get(CONTAINERD_IMAGE_NAME)))
                    .toList();
            if (named.isEmpty()) {
                throw new ImageException(where + " has no image named '" + wanted + "'; it has " + refNames(top));
            }
            return named.size() == 1 ? named.get(0) : new ImageIndex(MediaTypes.OCI_INDEX, named).select(platform);
        }
        if (top.manifests().size() == 1) {
            return top.manifests().get(0);
        }
        if (top.manifests().isEmpty()) {
            throw new ImageException(where + " holds no images (its index.json is empty)");
        }
        boolean allPlatforms = top.manifests().stream().allMatch(d -> d.platform().isPresent());
        if (allPlatforms) {
            return top.select(platform);
        }
        throw new ImageException(where + " holds " + top.manifests().size() + " images; name one after a colon, e.g. "
                + "oci:DIR:NAME (it has " + refNames(top) + ")");
    }

    private static String refNames(ImageIndex top) {
        String names = top.manifests().stream()
                .map(d -> d.refName().orElse(d.annotations().getOrDefault(CONTAINERD_IMAGE_NAME, "(unnamed)")))
                .distinct()
                .collect(Collectors.joining(", "));
        return names.isEmpty() ? "no images" : names;
    }

    /** Reads the image a manifest or index descriptor points at (platform chosen from an index). */
    static Image resolve(FileTree tree, Descriptor d, Platform platform, String sourceName) {
        return resolve(tree, d, platform, sourceName, 0);
    }

    private static Image resolve(FileTree tree, Descriptor d, Platform platform, String sourceName, int depth) {
        if (depth > 4) {
            throw new ImageException(sourceName + ": indexes nested too deeply");
        }
        byte[] json = LayoutBlobs.readVerified(tree, d, "manifest");
        ManifestDocument doc = ImageJsonTranslator.manifestOrIndex(json, d.mediaType(), "manifest " + d.digest());
        if (doc instanceof ManifestDocument.Index ix) {
            return resolve(tree, ix.index().select(platform), platform, sourceName, depth + 1);
        }
        Manifest manifest = ((ManifestDocument.Single) doc).manifest();
        byte[] configJson = LayoutBlobs.readVerified(tree, manifest.config(), "config");
        ImageConfig config = ImageJsonTranslator.config(configJson, "config " + manifest.config().digest());
        return new Image(sourceName, d.digest(), manifest, config, layers(tree, manifest, config, sourceName));
    }

    private static List<ImageLayer> layers(FileTree tree, Manifest manifest, ImageConfig config, String sourceName) {
        List<ImageLayer> layers = new ArrayList<>();
        int count = manifest.layers().size();
        for (int i = 0; i < count; i++) {
            Descriptor d = manifest.layers().get(i);
            if (i >= config.diffIds().size()) {
                throw new ImageException(sourceName + ": the manifest names " + count + " layers but the config's "
                        + "rootfs.diff_ids lists " + config.diffIds().size());
            }
            String path = LayoutBlobs.path(d.digest());
            ImageLayer layer = new ImageLayer(i + 1, count, d, config.diffIds().get(i), true, () -> tree.open(path));
            LayoutBlobs.requirePresent(tree, d, layer.name());
            layers.add(layer);
        }
        return layers;
    }
}
