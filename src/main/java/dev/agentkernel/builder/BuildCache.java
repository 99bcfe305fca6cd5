package dev.agentkernel.builder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.image.Digest;
import dev.agentkernel.store.AgentkernelHome;
import dev.agentkernel.store.AtomicFiles;
import dev.agentkernel.store.BlobStore;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The native builder's step cache, {@code build-cache/<key>.json} in the data directory: a step's key is the
 * hash of its parent's key, its instruction text after expansion, what it runs in (environment, user,
 * directory, shell) and, for COPY/ADD, the digest of every entry and byte it copies; the entry names the
 * layer blob it made. An entry whose blob has been removed from the store (by {@code images rm}) is a miss.
 * Entries are written atomically; a corrupt one is a miss.
 */
final class BuildCache {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Bump when what a key covers or what a layer holds changes. */
    static final String VERSION = "agentkernel-native-build-1";

    private final Path dir;
    private final BlobStore blobs;

    BuildCache(AgentkernelHome home, BlobStore blobs) {
        this.dir = home.root().resolve("build-cache");
        this.blobs = blobs;
    }

    /** The key of a step after {@code parent}. */
    static String key(String parent, String... parts) {
        StringBuilder s = new StringBuilder(VERSION).append('\0').append(parent);
        for (String p : parts) {
            s.append('\0').append(p.length()).append(':').append(p);
        }
        return Digest.sha256(s.toString().getBytes(StandardCharsets.UTF_8)).hex();
    }

    Optional<LayerBlob> lookup(String key) {
        Path file = dir.resolve(key + ".json");
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            JsonNode n = JSON.readTree(Files.readAllBytes(file));
            LayerBlob layer = new LayerBlob(Digest.parse(n.path("digest").asText()), n.path("size").asLong(),
                    n.path("media_type").asText(), Digest.parse(n.path("diff_id").asText()));
            return blobs.contains(layer.digest()) ? Optional.of(layer) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    void put(String key, LayerBlob layer) {
        ObjectNode n = JSON.createObjectNode();
        n.put("digest", layer.digest().toString());
        n.put("size", layer.size());
        n.put("media_type", layer.mediaType());
        n.put("diff_id", layer.diffId().toString());
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            return; // no cache this time; the build itself is fine
        }
        AtomicFiles.write(dir.resolve(key + ".json"), ImageJson.bytes(n));
    }
}
