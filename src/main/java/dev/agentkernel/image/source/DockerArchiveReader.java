package dev.agentkernel.image.source;

import dev.agentkernel.errors.ImageException;
import dev.agentkernel.image.Descriptor;
import dev.agentkernel.image.Digest;
import dev.agentkernel.image.Image;
import dev.agentkernel.image.ImageConfig;
import dev.agentkernel.image.ImageLayer;
import dev.agentkernel.image.LayerCompression;
import dev.agentkernel.image.Manifest;
import dev.agentkernel.image.MediaTypes;
import dev.agentkernel.image.json.DockerArchiveManifestJson;
import dev.agentkernel.image.json.ImageJson;
import dev.agentkernel.image.json.ImageJsonTranslator;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads an image from {@code docker save} / {@code podman save} output through its {@code manifest.json}:
 * the legacy form ({@code <id>/layer.tar}, {@code <hex>.json}) and the OCI-layout form newer Docker writes
 * ({@code blobs/sha256/<hex>}). Such archives hold no manifest blob, so the image's manifest digest is that of
 * an OCI manifest synthesised from the config and layer digests: stable for the same image, which is all the
 * rootfs cache needs.
 */
final class DockerArchiveReader {
    private static final Pattern BLOB_PATH = Pattern.compile("(?:.*/)?blobs/(sha256|sha512)/([a-f0-9]+)");
    private static final Pattern HEX_NAMED = Pattern.compile("(?:.*/)?([a-f0-9]{64})(?:\\.json|\\.tar|/layer\\.tar)?");

    private DockerArchiveReader() {
    }

    static Image read(FileTree tree, Optional<String> ref, String sourceName) {
        if (!tree.exists("manifest.json")) {
            throw new ImageException(tree.describe() + " is not a docker-archive: it has no manifest.json"
                    + (tree.exists("index.json") ? " (it looks like an OCI layout: use oci-archive:)" : ""));
        }
        DockerArchiveManifestJson entry = chooseEntry(readManifestList(tree), ref, tree.describe());
        if (entry.config() == null || entry.layers() == null) {
            throw new ImageException(tree.describe() + ": manifest.json entry without Config or Layers");
        }
        byte[] configJson = readConfig(tree, entry.config());
        Digest configDigest = Digest.sha256(configJson);
        ImageConfig config = ImageJsonTranslator.config(configJson, "config " + entry.config());
        int count = entry.layers().size();
        if (count != config.diffIds().size()) {
            throw new ImageException(sourceName + ": manifest.json names " + count
                    + " layers but the config's rootfs.diff_ids lists " + config.diffIds().size());
        }
        List<Descriptor> descriptors = new ArrayList<>();
        List<ImageLayer> layers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String path = entry.layers().get(i);
            Digest diffId = config.diffIds().get(i);
            ImageLayer layer = layer(tree, path, i + 1, count, diffId);
            descriptors.add(layer.descriptor());
            layers.add(layer);
        }
        Manifest manifest = new Manifest(MediaTypes.OCI_MANIFEST,
                Descriptor.of(MediaTypes.DOCKER_CONFIG, configDigest, configJson.length), descriptors, Map.of());
        Digest manifestDigest = Digest.sha256(ImageJson.write(ImageJsonTranslator.toJson(manifest)));
        return new Image(sourceName, manifestDigest, manifest, config, layers);
    }

    private static List<DockerArchiveManifestJson> readManifestList(FileTree tree) {
        try {
            byte[] json = tree.readSmall("manifest.json", LayoutBlobs.METADATA_LIMIT);
            DockerArchiveManifestJson[] entries = ImageJson.read(json, DockerArchiveManifestJson[].class,
                    tree.describe() + "/manifest.json");
            return Arrays.asList(entries);
        } catch (IOException e) {
            throw new ImageException("cannot read manifest.json of " + tree.describe() + ": " + e.getMessage(), e);
        }
    }

    private static DockerArchiveManifestJson chooseEntry(List<DockerArchiveManifestJson> entries, Optional<String> ref,
                                                         String where) {
        if (entries.isEmpty()) {
            throw new ImageException(where + " holds no images (its manifest.json is empty)");
        }
        if (ref.isEmpty()) {
            if (entries.size() == 1) {
                return entries.get(0);
            }
            throw new ImageException(where + " holds " + entries.size() + " images; name one after a colon, e.g. "
                    + "docker-archive:FILE:NAME:TAG (it has " + tags(entries) + ")");
        }
        for (DockerArchiveManifestJson e : entries) {
            if (e.repoTags() != null && e.repoTags().stream().anyMatch(t -> sameTag(t, ref.get()))) {
                return e;
            }
        }
        throw new ImageException(where + " has no image tagged '" + ref.get() + "'; it has " + tags(entries));
    }

    private static String tags(List<DockerArchiveManifestJson> entries) {
        String tags = entries.stream().flatMap(e -> e.repoTags() == null ? java.util.stream.Stream.<String>empty()
                : e.repoTags().stream()).collect(Collectors.joining(", "));
        return tags.isEmpty() ? "only untagged images" : tags;
    }

    /** Podman tags saved images {@code localhost/NAME:TAG}, Docker {@code NAME:TAG}; accept either spelling. */
    static boolean sameTag(String repoTag, String wanted) {
        String w = wanted.contains(":") && wanted.lastIndexOf(':') > wanted.lastIndexOf('/') ? wanted : wanted + ":latest";
        return repoTag.equals(w) || repoTag.equals("localhost/" + w) || repoTag.equals("docker.io/library/" + w)
                || repoTag.equals("docker.io/" + w);
    }

    private static byte[] readConfig(FileTree tree, String path) {
        byte[] json;
        try {
            json = tree.readSmall(path, LayoutBlobs.METADATA_LIMIT);
        } catch (IOException e) {
            throw new ImageException("cannot read config " + path + " of " + tree.describe() + ": " + e.getMessage(), e);
        }
        expectedDigest(path).ifPresent(d -> LayoutBlobs.checkDigest(json, d, "config " + path));
        return json;
    }

    /** The digest a file's name states: {@code blobs/sha256/<hex>} or {@code <hex>.json}. */
    private static Optional<Digest> expectedDigest(String path) {
        Matcher blob = BLOB_PATH.matcher(path);
        if (blob.matches()) {
            return Optional.of(Digest.parse(blob.group(1) + ":" + blob.group(2)));
        }
        Matcher hex = HEX_NAMED.matcher(path);
        if (hex.matches() && path.endsWith(".json")) {
            return Optional.of(Digest.parse("sha256:" + hex.group(1)));
        }
        return Optional.empty();
    }

    private static ImageLayer layer(FileTree tree, String path, int number, int count, Digest diffId) {
        long size;
        LayerCompression compression;
        try {
            size = tree.size(path);
            compression = sniff(tree, path);
        } catch (IOException e) {
            throw new ImageException("layer " + number + " of " + count + " (" + path + ") is missing from "
                    + tree.describe(), e);
        }
        String mediaType = switch (compression) {
            case NONE -> MediaTypes.OCI_LAYER_TAR;
            case GZIP -> MediaTypes.OCI_LAYER_GZIP;
            case ZSTD -> MediaTypes.OCI_LAYER_ZSTD;
        };
        Matcher blob = BLOB_PATH.matcher(path);
        if (blob.matches()) {
            Digest digest = Digest.parse(blob.group(1) + ":" + blob.group(2));
            return new ImageLayer(number, count, Descriptor.of(mediaType, digest, size), diffId, true,
                    () -> tree.open(path));
        }
        // Legacy <id>/layer.tar: no blob digest is recorded. An uncompressed layer's blob digest is its
        // diff_id, so it is checked as the blob; a compressed one is checked after decompression only.
        boolean verifiable = compression == LayerCompression.NONE;
        return new ImageLayer(number, count, Descriptor.of(mediaType, diffId, size), diffId, verifiable,
                () -> tree.open(path));
    }

    private static LayerCompression sniff(FileTree tree, String path) throws IOException {
        try (InputStream in = tree.open(path)) {
            byte[] m = in.readNBytes(4);
            return LayerCompression.sniff(m, m.length);
        }
    }
}
