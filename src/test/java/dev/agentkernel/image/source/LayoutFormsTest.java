package dev.agentkernel.image.source;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentkernel.errors.ImageException;
import dev.agentkernel.image.Digest;
import dev.agentkernel.image.Image;
import dev.agentkernel.image.Platform;
import dev.agentkernel.store.AgentkernelHome;
import dev.agentkernel.testing.OciLayoutWriter;
import dev.agentkernel.testing.OciLayoutWriter.Layer;
import dev.agentkernel.testing.TarLayerBuilder;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Layout shapes that skopeo and Podman do not produce here: multi-platform indexes, Docker's OCI-form archive. */
class LayoutFormsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path work;

    private SourceOptions options(String platform) {
        return new SourceOptions(Platform.parse(platform), AgentkernelHome.at(work.resolve("home")));
    }

    private static Map<String, Object> entry(OciLayoutWriter.Written w, String arch, String variant) throws IOException {
        long size = Files.size(w.blob(w.manifest()));
        Map<String, Object> platform = variant == null ? Map.of("os", "linux", "architecture", arch)
                : Map.of("os", "linux", "architecture", arch, "variant", variant);
        return Map.of("mediaType", "application/vnd.oci.image.manifest.v1+json", "digest", w.manifest().toString(),
                "size", size, "platform", platform);
    }

    /** One layout with a nested index of amd64 and arm64/v8 images, named "multi". */
    private Path multiPlatformLayout(OciLayoutWriter.Written[] out) throws IOException {
        Path dir = work.resolve("multi");
        OciLayoutWriter.Written amd = OciLayoutWriter.write(dir, "amd",
                List.of(Layer.gzip(new TarLayerBuilder().file("arch", "amd64").tar())));
        OciLayoutWriter.Written arm = OciLayoutWriter.write(dir, "arm",
                List.of(Layer.zstd(new TarLayerBuilder().file("arch", "arm64").tar())));
        byte[] nested = JSON.writeValueAsBytes(Map.of("schemaVersion", 2,
                "mediaType", "application/vnd.oci.image.index.v1+json",
                "manifests", List.of(entry(amd, "amd64", null), entry(arm, "arm64", "v8"))));
        Digest nestedDigest = Digest.sha256(nested);
        Files.write(dir.resolve("blobs/sha256").resolve(nestedDigest.hex()), nested);
        Files.write(dir.resolve("index.json"), JSON.writeValueAsBytes(Map.of("schemaVersion", 2, "manifests",
                List.of(Map.of("mediaType", "application/vnd.oci.image.index.v1+json", "digest", nestedDigest.toString(),
                        "size", nested.length, "annotations", Map.of("org.opencontainers.image.ref.name", "multi"))))));
        out[0] = amd;
        out[1] = arm;
        return dir;
    }

    @Test
    void indexPicksTheRequestedPlatform() throws IOException {
        OciLayoutWriter.Written[] w = new OciLayoutWriter.Written[2];
        Path dir = multiPlatformLayout(w);
        try (ImageSource s = ImageSources.open(SourceSpec.parse("oci:" + dir + ":multi"), options("linux/arm64"))) {
            assertThat(s.image().manifestDigest()).isEqualTo(w[1].manifest());
        }
        try (ImageSource s = ImageSources.open(SourceSpec.parse("oci:" + dir), options("linux/amd64"))) {
            Image image = s.image();
            assertThat(image.manifestDigest()).isEqualTo(w[0].manifest());
            assertThat(image.layers().get(0).diffId()).isEqualTo(image.config().diffIds().get(0));
        }
        try (ImageSource s = ImageSources.open(SourceSpec.parse("oci:" + dir), options("linux/s390x"))) {
            assertThatThrownBy(s::image).isInstanceOf(ImageException.class)
                    .hasMessageContaining("no manifest for linux/s390x")
                    .hasMessageContaining("linux/amd64, linux/arm64/v8").hasMessageContaining("--platform");
        }
    }

    @Test
    void dockerArchiveInTheOciFormNewerDockerWrites() throws IOException {
        byte[] tar = new TarLayerBuilder().file("etc/os-release", "ID=docker\n").tar();
        OciLayoutWriter.Written w = OciLayoutWriter.write(work.resolve("layout"), "latest", List.of(Layer.uncompressed(tar)));
        byte[] manifestJson = JSON.writeValueAsBytes(List.of(Map.of(
                "Config", "blobs/sha256/" + w.config().hex(),
                "RepoTags", List.of("example:latest"),
                "Layers", List.of("blobs/sha256/" + w.layers().get(0).hex()))));
        Files.write(w.dir().resolve("manifest.json"), manifestJson);
        Path archive = work.resolve("docker.tar");
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(Files.newOutputStream(archive));
             Stream<Path> files = Files.walk(w.dir())) {
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Path p : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(p)) {
                    TarArchiveEntry e = new TarArchiveEntry(p.toFile(), w.dir().relativize(p).toString());
                    out.putArchiveEntry(e);
                    Files.copy(p, out);
                    out.closeArchiveEntry();
                }
            }
        }
        try (ImageSource s = ImageSources.open(SourceSpec.parse("docker-archive:" + archive + ":example"),
                options("linux/amd64"))) {
            Image image = s.image();
            assertThat(image.layers()).hasSize(1);
            assertThat(image.manifest().config().digest()).isEqualTo(w.config());
            assertThat(LayerBytes.uncompressed(image.layers().get(0))).isEqualTo(tar);
        }
        // The same archive is an OCI layout too.
        try (ImageSource s = ImageSources.open(SourceSpec.parse("oci-archive:" + archive + ":latest"),
                options("linux/amd64"))) {
            assertThat(s.image().manifestDigest()).isEqualTo(w.manifest());
        }
    }
}
