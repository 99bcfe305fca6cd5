package dev.agentkernel.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentkernel.image.Digest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
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
 *
 * A layer too big to hold in memory (a whole root file system) is a {@link FileLayer}: an uncompressed tar file,
 * digested as a stream and moved into the layout. The image config's {@code config} object (Env, WorkingDir,
 * User, Entrypoint, Cmd, ...) is given as a map, empty by default.
 */
public final class OciLayoutWriter {
    public static final String TAR = "application/vnd.oci.image.layer.v1.tar";
    public static final String TAR_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
    public static final String TAR_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd";

    private static final ObjectMapper JSON = new ObjectMapper();

    private OciLayoutWriter() {
    }

    /** A layer of the image: in memory ({@link Layer}) or an uncompressed tar file ({@link FileLayer}). */
    public sealed interface LayerBlob permits Layer, FileLayer {
    }

    /** A layer blob, its media type and the tar it holds (for the config's diff_ids). */
    public record Layer(byte[] blob, String mediaType, byte[] tar) implements LayerBlob {
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

    /**
     * An uncompressed tar file, moved (renamed, on the same file system) into the layout's blobs: its digest is
     * its diff_id, computed by reading the file once.
     */
    public record FileLayer(Path tar) implements LayerBlob {
    }

    /** A blob once stored: its descriptor's fields and the digest of the tar it holds. */
    private record Stored(Digest digest, long size, String mediaType, Digest diffId) {
    }

    /** What was written: the layout directory, the tag, the manifest's and the layers' digests. */
    public record Written(Path dir, String tag, Digest manifest, Digest config, List<Digest> layers) {
        /** The blob file of a digest. */
        public Path blob(Digest digest) {
            return dir.resolve("blobs").resolve(digest.algorithm()).resolve(digest.hex());
        }
    }

    public static Written write(Path dir, String tag, List<? extends LayerBlob> layers) throws IOException {
        return write(dir, tag, layers, Map.of());
    }

    /** As {@link #write(Path, String, List)}, with {@code runConfig} as the image config's {@code config}. */
    public static Written write(Path dir, String tag, List<? extends LayerBlob> layers, Map<String, Object> runConfig)
            throws IOException {
        Files.createDirectories(dir.resolve("blobs/sha256"));
        Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        List<Object> layerDescriptors = new ArrayList<>();
        List<String> diffIds = new ArrayList<>();
        List<Digest> layerDigests = new ArrayList<>();
        for (LayerBlob layer : layers) {
            Stored stored = store(dir, layer);
            layerDigests.add(stored.digest());
            layerDescriptors.add(descriptor(stored.mediaType(), stored.digest(), stored.size()));
            diffIds.add(stored.diffId().toString());
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("architecture", "amd64");
        config.put("os", "linux");
        config.put("config", runConfig);
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

    private static Stored store(Path dir, LayerBlob layer) throws IOException {
        if (layer instanceof Layer l) {
            return new Stored(writeBlob(dir, l.blob()), l.blob().length, l.mediaType(), Digest.sha256(l.tar()));
        }
        Path tar = ((FileLayer) layer).tar();
        Digest digest = sha256(tar);
        long size = Files.size(tar);
        Files.move(tar, dir.resolve("blobs/sha256").resolve(digest.hex()), StandardCopyOption.REPLACE_EXISTING);
        return new Stored(digest, size, TAR, digest);
    }

    private static Digest sha256(Path file) throws IOException {
        MessageDigest md = Digest.newSha256();
        byte[] buffer = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                md.update(buffer, 0, n);
            }
        }
        return Digest.of("sha256", md.digest());
    }

    private static Digest writeBlob(Path dir, byte[] bytes) throws IOException {
        Digest digest = Digest.sha256(bytes);
        Files.write(dir.resolve("blobs/sha256").resolve(digest.hex()), bytes);
        return digest;
    }
}
