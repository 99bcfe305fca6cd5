package dev.agentkernel.image.json;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.errors.ImageException;
import dev.agentkernel.image.Descriptor;
import dev.agentkernel.image.Digest;
import dev.agentkernel.image.ImageConfig;
import dev.agentkernel.image.ImageIndex;
import dev.agentkernel.image.Manifest;
import dev.agentkernel.image.MediaTypes;
import dev.agentkernel.image.Platform;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns the JSON shapes into the immutable domain objects of {@code dev.agentkernel.image}, checking what the
 * specs require, and back. Every error is an {@link ImageException} naming the document.
 */
public final class ImageJsonTranslator {
    private ImageJsonTranslator() {
    }

    /** A manifest or an index: what a tag or an index entry can point at. */
    public sealed interface ManifestDocument permits ManifestDocument.Single, ManifestDocument.Index {
        record Single(Manifest manifest) implements ManifestDocument {
        }

        record Index(ImageIndex index) implements ManifestDocument {
        }
    }

    /**
     * Parses a manifest or an index. The kind comes from the document's {@code mediaType}, else from
     * {@code declaredMediaType} (the descriptor or HTTP header that pointed at it), else from its fields.
     */
    public static ManifestDocument manifestOrIndex(byte[] json, String declaredMediaType, String what) {
        JsonNode tree = ImageJson.readTree(json, what);
        String mediaType = tree.path("mediaType").asText(null);
        if (mediaType == null) {
            mediaType = declaredMediaType;
        }
        boolean index = mediaType != null ? MediaTypes.isIndex(mediaType) : tree.has("manifests");
        if (index) {
            return new ManifestDocument.Index(index(json, declaredMediaType, what));
        }
        return new ManifestDocument.Single(manifest(json, declaredMediaType, what));
    }

    /** Parses and checks an image manifest. */
    public static Manifest manifest(byte[] json, String declaredMediaType, String what) {
        ManifestJson m = ImageJson.read(json, ManifestJson.class, what);
        if (m.schemaVersion() == null || m.schemaVersion() != 2) {
            throw new ImageException(what + " has schemaVersion " + m.schemaVersion()
                    + "; only schema 2 (Docker schema 2 and OCI) manifests are supported");
        }
        String mediaType = m.mediaType() != null ? m.mediaType()
                : declaredMediaType != null ? declaredMediaType : MediaTypes.OCI_MANIFEST;
        if (!MediaTypes.isManifest(mediaType)) {
            throw new ImageException(what + " has media type " + mediaType + ", not an image manifest");
        }
        if (m.config() == null) {
            throw new ImageException(what + " names no config");
        }
        if (m.layers() == null) {
            throw new ImageException(what + " has no layers list");
        }
        Descriptor config = descriptor(m.config(), what + " config");
        List<Descriptor> layers = new ArrayList<>();
        for (int i = 0; i < m.layers().size(); i++) {
            layers.add(descriptor(m.layers().get(i), what + " layer " + (i + 1)));
        }
        return new Manifest(mediaType, config, layers, nonNullValues(m.annotations()));
    }

    /** Parses and checks an index or manifest list. */
    public static ImageIndex index(byte[] json, String declaredMediaType, String what) {
        IndexJson ix = ImageJson.read(json, IndexJson.class, what);
        if (ix.schemaVersion() == null || ix.schemaVersion() != 2) {
            throw new ImageException(what + " has schemaVersion " + ix.schemaVersion() + "; expected 2");
        }
        if (ix.manifests() == null) {
            throw new ImageException(what + " has no manifests list");
        }
        String mediaType = ix.mediaType() != null ? ix.mediaType()
                : declaredMediaType != null ? declaredMediaType : MediaTypes.OCI_INDEX;
        List<Descriptor> manifests = new ArrayList<>();
        for (int i = 0; i < ix.manifests().size(); i++) {
            manifests.add(descriptor(ix.manifests().get(i), what + " entry " + (i + 1)));
        }
        return new ImageIndex(mediaType, manifests);
    }

    /** Parses and checks an image config. */
    public static ImageConfig config(byte[] json, String what) {
        ConfigJson c = ImageJson.read(json, ConfigJson.class, what);
        if (c.rootfs() == null || c.rootfs().diffIds() == null) {
            throw new ImageException(what + " has no rootfs.diff_ids");
        }
        if (c.rootfs().type() != null && !c.rootfs().type().equals("layers")) {
            throw new ImageException(what + " has rootfs.type '" + c.rootfs().type() + "'; expected 'layers'");
        }
        List<Digest> diffIds = new ArrayList<>();
        for (String d : c.rootfs().diffIds()) {
            diffIds.add(digest(d, what + " diff_id"));
        }
        Optional<Platform> platform = c.os() != null && c.architecture() != null && !c.os().isBlank()
                && !c.architecture().isBlank()
                ? Optional.of(Platform.of(c.os(), c.architecture(), c.variant())) : Optional.empty();
        ConfigJson.ContainerConfigJson run = c.config();
        if (run == null) {
            return new ImageConfig(platform, diffIds, null, null, null, null, null, null);
        }
        return new ImageConfig(platform, diffIds, run.env(), run.entrypoint(), run.cmd(), run.workingDir(),
                run.user(), nonNullValues(run.labels()));
    }

    /** A descriptor shape to a checked {@link Descriptor}. */
    public static Descriptor descriptor(DescriptorJson d, String what) {
        if (d.digest() == null) {
            throw new ImageException(what + " has no digest");
        }
        if (d.size() == null || d.size() < 0) {
            throw new ImageException(what + " has no valid size");
        }
        Optional<Platform> platform = Optional.empty();
        PlatformJson p = d.platform();
        if (p != null && p.os() != null && p.architecture() != null && !p.os().isBlank() && !p.architecture().isBlank()) {
            platform = Optional.of(Platform.of(p.os(), p.architecture(), p.variant()));
        }
        return new Descriptor(d.mediaType(), digest(d.digest(), what), d.size(), platform,
                nonNullValues(d.annotations()), d.urls());
    }

    /** A {@link Descriptor} back to its JSON shape. */
    public static DescriptorJson toJson(Descriptor d) {
        PlatformJson platform = d.platform()
                .map(p -> new PlatformJson(p.architecture(), p.os(), null, null, p.variant()))
                .orElse(null);
        return new DescriptorJson(d.mediaType(), d.digest().toString(), d.size(),
                d.urls().isEmpty() ? null : d.urls(), d.annotations().isEmpty() ? null : d.annotations(), platform);
    }

    /** A {@link Manifest} back to its JSON shape. */
    public static ManifestJson toJson(Manifest m) {
        return new ManifestJson(2, m.mediaType(), toJson(m.config()),
                m.layers().stream().map(ImageJsonTranslator::toJson).toList(),
                m.annotations().isEmpty() ? null : m.annotations());
    }

    private static Digest digest(String text, String what) {
        try {
            return Digest.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ImageException(what + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, String> nonNullValues(Map<String, String> map) {
        if (map == null) {
            return Map.of();
        }
        Map<String, String> result = new LinkedHashMap<>();
        map.forEach((k, v) -> {
            if (k != null && v != null) {
                result.put(k, v);
            }
        });
        return result;
    }
}
