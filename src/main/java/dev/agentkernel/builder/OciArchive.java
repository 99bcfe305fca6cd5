package dev.agentkernel.builder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.errors.ImageException;
import dev.agentkernel.errors.StoreException;
import dev.agentkernel.errors.UserInputException;
import dev.agentkernel.image.Digest;
import dev.agentkernel.store.AtomicFiles;
import dev.agentkernel.store.BlobStore;
import dev.agentkernel.store.ImageRecord;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code images save}: an image whose blobs are in the blob store (built natively or pulled) as an OCI archive,
 * the tar of an OCI image layout ({@code oci-layout}, {@code index.json} naming the manifest with the image's
 * name as {@code org.opencontainers.image.ref.name}, {@code blobs/sha256/...}), which {@code skopeo} reads as
 * {@code oci-archive:FILE} and {@code podman load} loads. Written to a temporary sibling and renamed, so an
 * interrupted save leaves no half-written archive. Entries are in a fixed order with fixed times: the same
 * image gives the same archive.
 */
public final class OciArchive {
    private static final ObjectMapper JSON = new ObjectMapper();

    private OciArchive() {
    }

    public static void save(ImageRecord record, BlobStore blobs, Path file) {
        if (record.source() == null || record.source().manifestDigest() == null) {
            throw new UserInputException("image '" + record.name() + "' lives in " + record.build().engine()
                    + "'s storage, not in agentkernel's blob store: save it with " + record.build().engine()
                    + " save " + record.build().engineReference());
        }
        Digest manifest = record.source().manifestDigest();
        byte[] manifestBytes = blobs.read(manifest);
        JsonNode m = ImageJson.parse(manifestBytes, "the manifest of " + record.name());
        if (!m.path("config").isObject()) {
            throw new ImageException("the manifest of " + record.name() + " is an index; saving one is not supported");
        }
        Set<Digest> blobsToWrite = new LinkedHashSet<>();
        blobsToWrite.add(Digest.parse(m.path("config").path("digest").asText()));
        m.path("layers").forEach(l -> blobsToWrite.add(Digest.parse(l.path("digest").asText())));
        blobsToWrite.add(manifest);
        for (Digest d : blobsToWrite) {
            if (!blobs.contains(d)) {
                throw new StoreException("blob " + d + " of image '" + record.name() + "' is missing from the blob store;"
                        + " build or pull it again");
            }
        }
        ObjectNode index = JSON.createObjectNode();
        index.put("schemaVersion", 2);
        index.put("mediaType", "application/vnd.oci.image.index.v1+json");
        ObjectNode entry = index.putArray("manifests").addObject();
        entry.put("mediaType", m.path("mediaType").asText(ImageJson.MANIFEST_TYPE));
        entry.put("digest", manifest.toString());
        entry.put("size", manifestBytes.length);
        entry.putObject("annotations").put("org.opencontainers.image.ref.name", record.name());
        byte[] indexBytes = ImageJson.bytes(index);
        byte[] layout = "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file.toAbsolutePath(), out -> {
            TarWriter tar = new TarWriter(new BufferedOutputStream(out, 1 << 16));
            tar.write(TreeEntry.directory("blobs", 0755, 0, 0, 0), null);
            tar.write(TreeEntry.directory("blobs/sha256", 0755, 0, 0, 0), null);
            List<Digest> sorted = new ArrayList<>(blobsToWrite);
            sorted.sort((a, b) -> a.toString().compareTo(b.toString()));
            for (Digest d : sorted) {
                long size = blobs.size(d);
                try (InputStream in = blobs.open(d)) {
                    tar.write(file("blobs/sha256/" + d.hex(), size), in);
                }
            }
            tar.write(file("index.json", indexBytes.length), new java.io.ByteArrayInputStream(indexBytes));
            tar.write(file("oci-layout", layout.length), new java.io.ByteArrayInputStream(layout));
            tar.finish();
        });
    }

    private static TreeEntry file(String path, long size) {
        return new TreeEntry(path, TreeEntry.Kind.FILE, 0644, 0, 0, 0, 0, size, null, 0, 0, null);
    }
}
