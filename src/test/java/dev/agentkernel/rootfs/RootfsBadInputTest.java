package dev.agentkernel.rootfs;

import dev.agentkernel.errors.AgentkernelException;
import dev.agentkernel.image.source.SourceSpec;
import dev.agentkernel.store.AgentkernelHome;
import dev.agentkernel.testing.OciLayoutWriter;
import dev.agentkernel.testing.OciLayoutWriter.Layer;
import dev.agentkernel.testing.TarLayerBuilder;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Bad images: each gives one clear error naming what is wrong, and leaves neither an output file, nor a cache
 * entry, nor a temporary file behind.
 */
class RootfsBadInputTest {
    @TempDir
    Path work;

    private static byte[] baseTar() {
        return new TarLayerBuilder().dir("etc").file("etc/os-release", "ID=test\n").file("bin/sh", "#!fake\n").tar();
    }

    private OciLayoutWriter.Written layout(List<Layer> layers) throws IOException {
        return OciLayoutWriter.write(work.resolve("layout"), "v1", layers);
    }

    /** Converts through the cache and with -o; both must fail with {@code message} and leave nothing. */
    private void assertFailsCleanly(String source, RootfsOptions options, String... message) throws IOException {
        Path home = work.resolve("home");
        RootfsConverter converter = new RootfsConverter(AgentkernelHome.at(home));
        assertThatThrownBy(() -> converter.convert(SourceSpec.parse(source), options))
                .isInstanceOf(AgentkernelException.class).message().contains(message);
        Path out = work.resolve("out");
        Files.createDirectories(out);
        assertThatThrownBy(() -> converter.convert(SourceSpec.parse(source), options.withOutput(out.resolve("r.ext4"))))
                .isInstanceOf(AgentkernelException.class).message().contains(message);
        assertThat(list(out)).as("output directory").isEmpty();
        assertThat(list(home.resolve("rootfs"))).as("cache").isEmpty();
        assertThat(list(home.resolve("tmp"))).as("scratch").isEmpty();
    }

    private static List<Path> list(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    private static RootfsOptions options() {
        return RootfsOptions.defaults().withAgent(AgentChoice.none()).withFreeBytes(8 << 20);
    }

    @Test
    void goodFixtureConverts() throws IOException {
        OciLayoutWriter.Written w = layout(List.of(Layer.gzip(baseTar())));
        RootfsResult r = new RootfsConverter(AgentkernelHome.at(work.resolve("home")))
                .convert(SourceSpec.parse("oci:" + w.dir()), options());
        assertThat(r.path()).exists();
        assertThat(r.entries()).isGreaterThan(15);
    }

    @Test
    void truncatedGzip() throws IOException {
        byte[] gz = TarLayerBuilder.gzip(baseTar());
        byte[] cut = Arrays.copyOf(gz, gz.length / 2);
        layout(List.of(new Layer(cut, OciLayoutWriter.TAR_GZIP, baseTar())));
        assertFailsCleanly("oci:" + work.resolve("layout"), options(), "layer 1 of 1");
    }

    @Test
    void corruptGzip() throws IOException {
        byte[] gz = TarLayerBuilder.gzip(baseTar());
        for (int i = 20; i < gz.length - 10; i += 7) {
            gz[i] ^= 0x5a;
        }
        layout(List.of(new Layer(gz, OciLayoutWriter.TAR_GZIP, baseTar())));
        assertFailsCleanly("oci:" + work.resolve("layout"), options(), "layer 1 of 1");
    }

    @Test
    void wrongBlobDigest() throws IOException {
        OciLayoutWriter.Written w = layout(List.of(Layer.gzip(baseTar()),
                Layer.gzip(new TarLayerBuilder().file("etc/extra", "x").tar())));
        Path blob = w.blob(w.layers().get(1));
        Files.write(blob, TarLayerBuilder.gzip(new TarLayerBuilder().file("etc/extra", "y").tar()));
        assertFailsCleanly("oci:" + w.dir(), options(), "layer 2 of 2 (sha256:" + w.layers().get(1).shortHex());
    }

    @Test
    void diffIdMismatch() throws IOException {
        // The blob is what the manifest says, but its content is not the tar the config's diff_id names.
        byte[] other = new TarLayerBuilder().file("etc/other", "z").tar();
        layout(List.of(new Layer(TarLayerBuilder.gzip(other), OciLayoutWriter.TAR_GZIP, baseTar())));
        assertFailsCleanly("oci:" + work.resolve("layout"), options(), "layer 1 of 1", "diff_id");
    }

    @Test
    void missingBlob() throws IOException {
        OciLayoutWriter.Written w = layout(List.of(Layer.gzip(baseTar())));
        Files.delete(w.blob(w.layers().get(0)));
        assertFailsCleanly("oci:" + w.dir(), options(), "layer 1 of 1", "missing");
    }

    @Test
    void manifestWithoutLayers() throws IOException {
        layout(List.of());
        assertFailsCleanly("oci:" + work.resolve("layout"), options(), "names no layers");
    }

    @Test
    void pathTraversal() throws IOException {
        TarArchiveEntry evil = new TarArchiveEntry("etc/../../escaped", true);
        evil.setSize(4);
        byte[] tar = new TarLayerBuilder().dir("etc").entry(evil, "evil".getBytes(StandardCharsets.US_ASCII)).tar();
        layout(List.of(Layer.uncompressed(tar)));
        assertFailsCleanly("oci:" + work.resolve("layout"), options(), "layer 1 of 1", "escape");
    }

    @Test
    void layerLargerThanFixedSize() throws IOException {
        byte[] big = new byte[12 << 20];
        new Random(42).nextBytes(big);
        layout(List.of(Layer.uncompressed(new TarLayerBuilder().file("big.bin", big).tar())));
        assertFailsCleanly("oci:" + work.resolve("layout"), options().withFixedSize(4 << 20), "does not fit",
                "needs at least");
    }

    @Test
    void agentFileMissing() throws IOException {
        layout(List.of(Layer.gzip(baseTar())));
        assertFailsCleanly("oci:" + work.resolve("layout"),
                options().withAgent(AgentChoice.file(work.resolve("no-such-agent"))), "--agent", "no such file");
    }
}
