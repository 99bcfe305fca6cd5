package dev.agentkernel.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.image.Digest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Turns an OCI layout holding one linux/amd64 image into one that also holds a two-platform index under a
 * new ref name: the original manifest for linux/amd64 and a copy whose config says linux/arm64/v8 (same
 * layers), so a pull can be checked to pick each platform's manifest.
 */
final class TwoPlatformLayout {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Result(Digest index, Digest amd64Manifest, Digest arm64Manifest) {
    }

    private TwoPlatformLayout() {
    }

    static Result addIndex(Path layout, String sourceRef, String indexRef) throws IOException {
        ObjectNode indexJson = (ObjectNode) JSON.readTree(layout.resolve("index.json").toFile());
        JsonNode source = null;
        for (JsonNode m : indexJson.path("manifests")) {
            if (sourceRef.equals(m.path("annotations").path("org.opencontainers.image.ref.name").asText())) {
                source = m;
            }
        }
        if (source == null) {
            throw new IllegalArgumentException("no " + sourceRef + " in " + layout);
        }
        Digest amdManifestDigest = Digest.parse(source.path("digest").asText());
        ObjectNode manifest = (ObjectNode) JSON.readTree(blob(layout, amdManifestDigest).toFile());
        ObjectNode config = (ObjectNode) JSON.readTree(blob(layout, Digest.parse(manifest.path("config").path("digest").asText())).toFile());
        config.put("architecture", "arm64");
        config.put("variant", "v8");
        byte[] armConfig = JSON.writeValueAsBytes(config);
        Digest armConfigDigest = write(layout, armConfig);
        ObjectNode armManifest = manifest.deepCopy();
        ((ObjectNode) armManifest.path("config")).put("digest", armConfigDigest.toString()).put("size", armConfig.length);
        byte[] armManifestBytes = JSON.writeValueAsBytes(armManifest);
        Digest armManifestDigest = write(layout, armManifestBytes);

        ObjectNode index = JSON.createObjectNode();
        index.put("schemaVersion", 2);
        index.put("mediaType", "application/vnd.oci.image.index.v1+json");
        ArrayNode entries = index.putArray("manifests");
        ObjectNode amd = entries.addObject();
        amd.put("mediaType", "application/vnd.oci.image.manifest.v1+json");
        amd.put("digest", amdManifestDigest.toString());
        amd.put("size", Files.size(blob(layout, amdManifestDigest)));
        amd.putObject("platform").put("architecture", "amd64").put("os", "linux");
        ObjectNode arm = entries.addObject();
        arm.put("mediaType", "application/vnd.oci.image.manifest.v1+json");
        arm.put("digest", armManifestDigest.toString());
        arm.put("size", armManifestBytes.length);
        arm.putObject("platform").put("architecture", "arm64").put("os", "linux").put("variant", "v8");
        byte[] indexBytes = JSON.writeValueAsBytes(index);
        Digest indexDigest = write(layout, indexBytes);

        ObjectNode entry = ((ArrayNode) indexJson.path("manifests")).addObject();
        entry.put("mediaType", "application/vnd.oci.image.index.v1+json");
        entry.put("digest", indexDigest.toString());
        entry.put("size", indexBytes.length);
        entry.putObject("annotations").put("org.opencontainers.image.ref.name", indexRef);
        Files.write(layout.resolve("index.json"), JSON.writeValueAsBytes(indexJson));
        return new Result(indexDigest, amdManifestDigest, armManifestDigest);
    }

    private static Path blob(Path layout, Digest d) {
        return layout.resolve("blobs").resolve(d.algorithm()).resolve(d.hex());
    }

    private static Digest write(Path layout, byte[] bytes) throws IOException {
        Digest d = Digest.sha256(bytes);
        Files.write(blob(layout, d), bytes);
        return d;
    }
}
