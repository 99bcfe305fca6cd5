package dev.agentkernel.image.source;

import dev.agentkernel.errors.ImageException;
import dev.agentkernel.image.Digest;
import dev.agentkernel.image.Image;
import dev.agentkernel.image.ImageLayer;
import dev.agentkernel.image.Platform;
import dev.agentkernel.store.AgentkernelHome;
import dev.agentkernel.store.BlobStore;
import dev.agentkernel.store.ImageName;
import dev.agentkernel.store.ImageRecord;
import dev.agentkernel.store.ImageStore;
import dev.agentkernel.testing.BusyboxImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reads one Podman-built image (4 layers) exported as docker-archive, oci and oci-archive. */
@Tag("integration")
class ImageSourcesIT {
    @TempDir
    static Path work;
    static BusyboxImages images;
    static String tag;
    static Path dockerArchive;
    static Path ociLayout;
    static Path ociArchive;

    @BeforeAll
    static void buildImage() {
        images = new BusyboxImages(work);
        tag = images.build("RUN echo hello > /etc/greeting && mkdir /data && echo secret > /data/secret",
                "RUN rm /data/secret");
        dockerArchive = images.saveDockerArchive(tag);
        ociLayout = images.copyToOciLayout(tag, "v1");
        ociArchive = images.copyToOciArchive(tag, "v1");
    }

    @AfterAll
    static void removeImage() {
        if (images != null) {
            images.close();
        }
    }

    private static SourceOptions options() {
        return new SourceOptions(Platform.host(), AgentkernelHome.at(work.resolve("home")));
    }

    private static List<Digest> uncompressedDigests(String source) throws IOException {
        try (ImageSource s = ImageSources.open(SourceSpec.parse(source), options())) {
            Image image = s.image();
            List<Digest> digests = new ArrayList<>();
            for (ImageLayer layer : image.layers()) {
                digests.add(Digest.sha256(LayerBytes.uncompressed(layer)));
            }
            assertThat(digests).isEqualTo(image.config().diffIds());
            return digests;
        }
    }

    @Test
    void allThreeExportsYieldTheSameLayers() throws IOException {
        List<Digest> fromDocker = uncompressedDigests("docker-archive:" + dockerArchive);
        List<Digest> fromDockerByTag = uncompressedDigests("docker-archive:" + dockerArchive + ":" + tag);
        List<Digest> fromOci = uncompressedDigests("oci:" + ociLayout + ":v1");
        List<Digest> fromArchive = uncompressedDigests("oci-archive:" + ociArchive);
        assertThat(fromDocker).hasSize(4).isEqualTo(fromOci).isEqualTo(fromArchive).isEqualTo(fromDockerByTag);
    }

    @Test
    void dockerDaemonExportsThroughTheEngineAndCleansUp() throws IOException {
        List<Digest> fromDaemon = uncompressedDigests("docker-daemon:" + tag);
        assertThat(fromDaemon).isEqualTo(uncompressedDigests("oci:" + ociLayout));
        Path tmp = AgentkernelHome.at(work.resolve("home")).tmp();
        try (var left = Files.list(tmp)) {
            assertThat(left).as("temporary exports are deleted").isEmpty();
        }
    }

    @Test
    void localNamesResolveBuiltPulledAndImportedImages() throws IOException {
        AgentkernelHome home = AgentkernelHome.at(work.resolve("home"));
        ImageStore store = new ImageStore(home);
        Digest id;
        Digest manifest;
        try (ImageSource s = ImageSources.open(SourceSpec.parse("oci:" + ociLayout), options())) {
            id = s.image().manifest().config().digest();
            manifest = s.image().manifestDigest();
        }
        store.put(ImageRecord.built(ImageName.parse("built"), id, 1, Instant.EPOCH, Map.of(),
                new ImageRecord.BuildInfo("podman", tag, work.resolve("Containerfile"), work)));
        store.put(ImageRecord.imported("imported", id, 1, Instant.EPOCH, Map.of(),
                new ImageRecord.SourceInfo("oci-archive:" + ociArchive, manifest, null)));
        BlobStore blobs = BlobStore.of(home);
        try (var walk = Files.list(ociLayout.resolve("blobs/sha256"))) {
            for (Path blob : (Iterable<Path>) walk::iterator) {
                blobs.put(Digest.parse("sha256:" + blob.getFileName()), Files.readAllBytes(blob));
            }
        }
        store.put(ImageRecord.pulled("pulled", id, 1, Instant.EPOCH, Map.of(),
                new ImageRecord.SourceInfo("docker.io/library/x:1", manifest, null)));
        List<Digest> expected = uncompressedDigests("oci:" + ociLayout);
        assertThat(uncompressedDigests("built")).isEqualTo(expected);
        assertThat(uncompressedDigests("imported")).isEqualTo(expected);
        assertThat(uncompressedDigests("pulled")).isEqualTo(expected);
        assertThatThrownBy(() -> ImageSources.open(SourceSpec.parse("absent"), options()))
                .hasMessageContaining("no local image named 'absent'");
    }

    @Test
    void ociManifestDigestIsTheLayoutsAndStableAcrossOpens() {
        Digest first;
        try (ImageSource s = ImageSources.open(SourceSpec.parse("oci:" + ociLayout), options())) {
            first = s.image().manifestDigest();
        }
        try (ImageSource s = ImageSources.open(SourceSpec.parse("oci-archive:" + ociArchive + ":v1"), options())) {
            assertThat(s.image().manifestDigest()).isEqualTo(first);
        }
        try (ImageSource a = ImageSources.open(SourceSpec.parse("docker-archive:" + dockerArchive), options());
             ImageSource b = ImageSources.open(SourceSpec.parse("docker-archive:" + dockerArchive), options())) {
            assertThat(a.image().manifestDigest()).isEqualTo(b.image().manifestDigest());
        }
    }

    @Test
    void unknownRefListsWhatIsThere() {
        try (ImageSource s = ImageSources.open(SourceSpec.parse("oci:" + ociLayout + ":nope"), options())) {
            assertThatThrownBy(s::image).isInstanceOf(ImageException.class)
                    .hasMessageContaining("no image named 'nope'").hasMessageContaining("v1");
        }
        try (ImageSource s = ImageSources.open(SourceSpec.parse("docker-archive:" + dockerArchive + ":other:2"), options())) {
            assertThatThrownBy(s::image).isInstanceOf(ImageException.class)
                    .hasMessageContaining("no image tagged 'other:2'").hasMessageContaining(tag);
        }
    }

    @Test
    void corruptLayerBlobIsNamedWhenRead(@TempDir Path copy) throws IOException {
        Path layout = copyTree(ociLayout, copy.resolve("layout"));
        Image image;
        try (ImageSource s = ImageSources.open(SourceSpec.parse("oci:" + layout), options())) {
            image = s.image();
            ImageLayer last = image.layers().get(3);
            Path blob = layout.resolve("blobs/sha256/" + last.descriptor().digest().hex());
            byte[] bytes = Files.readAllBytes(blob);
            bytes[bytes.length / 2] ^= 0x40;
            Files.write(blob, bytes);
            // The blob stream itself fails, naming the layer (a decompressor on top may fail first, on its own).
            assertThatThrownBy(() -> {
                try (var in = last.open()) {
                    in.readAllBytes();
                }
            }).isInstanceOf(ImageException.class)
                    .hasMessageContaining("layer 4 of 4 (sha256:" + last.descriptor().digest().shortHex())
                    .hasMessageContaining("does not match its digest");
        }
    }

    @Test
    void missingLayerBlobFailsBeforeConversion(@TempDir Path copy) throws IOException {
        Path layout = copyTree(ociLayout, copy.resolve("layout"));
        Digest layer2;
        try (ImageSource s = ImageSources.open(SourceSpec.parse("oci:" + layout), options())) {
            layer2 = s.image().layers().get(1).descriptor().digest();
        }
        Files.delete(layout.resolve("blobs/sha256/" + layer2.hex()));
        try (ImageSource s = ImageSources.open(SourceSpec.parse("oci:" + layout), options())) {
            assertThatThrownBy(s::image).isInstanceOf(ImageException.class)
                    .hasMessageContaining("layer 2 of 4").hasMessageContaining("missing");
        }
    }

    @Test
    void compressedArchiveIsRejectedWithAHint() throws IOException {
        Path gz = work.resolve("compressed.tar.gz");
        try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz))) {
            Files.copy(dockerArchive, out);
        }
        assertThatThrownBy(() -> ImageSources.open(SourceSpec.parse("docker-archive:" + gz), options()))
                .isInstanceOf(ImageException.class).hasMessageContaining("gunzip");
    }

    static Path copyTree(Path from, Path to) throws IOException {
        try (var walk = Files.walk(from)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        return to;
    }
}
