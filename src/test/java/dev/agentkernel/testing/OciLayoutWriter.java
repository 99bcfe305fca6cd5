package dev.agentkernel.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentkernel.image.Digest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes an OCI image layout (oci-layout, index.json, blobs/sha256/...) holding one linux/amd64 image made of
 * fixture layers, so that real tools (umoci, skopeo) and our sources can read the same image.
 *
 * <pre>{@code
 * OciLayoutWriter.Written image = OciLayoutWriter.write(dir, "test",
 *         List.of(Layer.gzip(baseTar), Layer.zstd(upperTar)));
 * }</pre>
 */
public final class OciLayoutWriter {
    public static final String TAR = "application/vnd.oci.image.layer.v1.tar";
    public static final String TAR_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
    public static final String TAR_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd";

    private static final ObjectMapper JSON = new ObjectMapper();

    private OciLayoutWriter() {
    }

    /** A layer blob, its media type and the tar it holds (for the config's diff_ids). */
    public record Layer(byte[] blob, String mediaType, byte[] tar) {
        public static Layer uncompressed(byte[] tar) {
            return new Layer(tar, TAR, tar);
        }

        public static Layer gzip(byte[] tar) {
            return new Layer(TarLayerBuilder.gzip(tar), TAR_GZIP, tar);
        }

        public static Layer zstd(byte[] tar) {
            return new Layer(TarLayerBuilder.zstd(tar), TAR_ZSTD, tar);
        }
    }

    /** What was written: the layout directory, the tag, the manifest's and the layers' digests. */
    public record Written(Path dir, String tag, Digest manifest, Digest config, List<Digest> layers) {
        /** The blob file of a digest. */
        public Path blob(Digest digest) {
            return dir.resolve("blobs").resolve(digest.algorithm()).resolve(digest.hex());
        }
    }

    public static Written write(Path dir, String tag, List<Layer> layers) throws IOException {
        Files.createDirectories(dir.resolve("blobs/sha256"));
        Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        List<Object> layerDescriptors = new ArrayList<>();
        List<String> diffIds = new ArrayList<>();
        List<Digest> layerDigests = new ArrayList<>();
        for (Layer layer : layers) {
            Digest digest = writeBlob(dir, layer.blob());
            layerDigests.add(digest);
            layerDescriptors.add(descriptor(layer.mediaType(), digest, layer.blob().length));
            diffIds.add(Digest.sha256(layer.tar()).toString());
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("architecture", "amd64");
        config.put("os", "linux");
        config.put("config", Map.of());
        config.put("rootfs", Map.of("type", "layers", "diff_ids", diffIds));
        byte[] configBytes = JSON.writeValueAsBytes(config);
        Digest configDigest = writeBlob(dir, configBytes);

        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", "application/vnd.oci.image.manifest.v1+json");
        manifest.put("config", descriptor("application/vnd.oci.image.config.v1+json", configDigest, configBytes.length));
        manifest.put("layers", layerDescriptors);
        byte[] manifestBytes = JSON.writeValueAsBytes(manifest);
        Digest manifestDigest = writeBlob(dir, manifestBytes);

        Map<String, Object> manifestDescriptor = descriptor("application/vnd.oci.image.manifest.v1+json",
                manifestDigest, manifestBytes.length);
        manifestDescriptor.put("annotations", Map.of("org.opencontainers.image.ref.name", tag));
        manifestDescriptor.put("platform", Map.of("architecture", "amd64", "os", "linux"));
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("schemaVersion", 2);
        index.put("mediaType", "application/vnd.oci.image.index.v1+json");
        index.put("manifests", List.of(manifestDescriptor));
        Files.write(dir.resolve("index.json"), JSON.writeValueAsBytes(index));
        return new Written(dir, tag, manifestDigest, configDigest, layerDigests);
    }

    private static Map<String, Object> descriptor(String mediaType, Digest digest, long size) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("mediaType", mediaType);
        d.put("digest", digest.toString());
        d.put("size", size);
        return d;
    }

    private static Digest writeBlob(Path dir, byte[] bytes) throws IOException {
        Digest digest = Digest.sha256(bytes);
        Files.write(dir.resolve("blobs/sha256").resolve(digest.hex()), bytes);
        return digest;
    }
}
