package dev.agentkernel.rootfs;

import dev.agentkernel.errors.ImageException;
import dev.agentkernel.image.source.SourceSpec;
import dev.agentkernel.store.AgentkernelHome;
import dev.agentkernel.testing.Ext4Check;
import dev.agentkernel.testing.OciLayoutWriter;
import dev.agentkernel.testing.OciLayoutWriter.Layer;
import dev.agentkernel.testing.RawTar;
import dev.agentkernel.testing.TarLayerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Layers built to exhaust the converter: deep trees, sparse files of absurd apparent sizes, floods of extended
 * headers. Each converts in time proportional to its bytes, or fails at once with one error naming the layer
 * and the entry, and leaves nothing behind.
 */
class MalformedLayersTest {
    @TempDir
    Path work;

    @Test
    void aPathTenThousandDirectoriesDeepConverts() throws Exception {
        String deep = "d/".repeat(10_000) + "file";
        byte[] tar = new RawTar().pax(Map.of("path", deep)).file("ignored", "bottom").end();
        long started = System.nanoTime();
        Path image = convert(List.of(Layer.gzip(tar)));
        assertThat((System.nanoTime() - started) / 1e9).isLessThan(10);
        Ext4Check.assertClean(image);
    }

    @Test
    void aPathDeeperThanTenThousandDirectoriesIsRefusedAtOnce() throws Exception {
        byte[] tar = new RawTar().pax(Map.of("path", "d/".repeat(100_000) + "file")).file("ignored", "bottom").end();
        assertRefused(List.of(Layer.gzip(tar)), "has an entry nested deeper than 10000 directories");
    }

    @Test
    void aSparseFileOfOneTebibyteCostsItsDataNotItsSize() throws Exception {
        long size = 1L << 40;
        byte[] tar = sparse01(size, size - 5 + "," + 5, "hello");
        assertThat(tar.length).isLessThan(4096);
        long started = System.nanoTime();
        Path image = convert(List.of(Layer.uncompressed(tar)));
        assertThat((System.nanoTime() - started) / 1e9).isLessThan(5);
        assertThat(Files.size(image)).isLessThan(64L << 20);
        Ext4Check.assertClean(image);
    }

    @Test
    void sparseSizesBeyondWhatExt4HoldsAreRefusedAtOnce() throws Exception {
        byte[] tar = sparse01(1L << 62, "0,5", "hello");
        assertRefused(List.of(Layer.uncompressed(tar)),
                "'big' declares 4611686018427387904 bytes, more than a file in an ext4 root filesystem can hold");
        byte[] overflow = sparse01(1L << 40, Long.MAX_VALUE - 2 + ",5", "hello");
        assertRefused(List.of(Layer.uncompressed(overflow)), "invalid sparse map of 'big'");
    }

    @Test
    void floodsOfExtendedHeadersAreBounded() throws Exception {
        RawTar many = new RawTar();
        for (int i = 0; i < 300; i++) {
            many.pax(Map.of("comment", "x".repeat(30_000)));
        }
        assertRefused(List.of(Layer.gzip(many.file("f", "x").end())),
                "the extended headers after '(start of archive)' hold more than 8 MiB");

        Map<String, String> keys = new LinkedHashMap<>();
        for (int i = 0; i < 2000; i++) {
            keys.put("agentkernel.test." + i, "v");
        }
        assertRefused(List.of(Layer.gzip(new RawTar().globalPax(keys).file("f", "x").end())),
                "the global PAX headers after '(start of archive)' set more than 1024 keys or 1 MiB");

        StringBuilder records = new StringBuilder();
        for (int i = 0; i < 300_000; i++) {
            records.append("6 a=b\n");
        }
        byte[] data = records.toString().getBytes(StandardCharsets.US_ASCII);
        byte[] manyRecords = new RawTar().header("PaxHeaders/f", 'x').size(data.length).write(data).file("f", "x").end();
        assertRefused(List.of(Layer.gzip(manyRecords)), "records in one PAX extended header");
    }

    @Test
    void oldGnuSparseExtensionBlocksAreBounded() throws Exception {
        RawTar tar = new RawTar();
        RawTar.Header h = tar.header("sparse", 'S').gnu().size(0);
        h.octal(483, 12, 1 << 20); // realsize
        h.put(482, new byte[]{1}); // extension blocks follow
        tar.raw(h.bytes());
        byte[] empty = new byte[RawTar.BLOCK];
        empty[504] = 1; // each says another follows, and holds no segment
        for (int i = 0; i < 7000; i++) {
            tar.raw(empty);
        }
        assertRefused(List.of(Layer.gzip(tar.end())), "segments in the sparse map of 'sparse'");
    }

    @Test
    void failedConversionsLeaveNoThreadBehind() throws Exception {
        byte[] good = new TarLayerBuilder().file("etc/a", "a").tar();
        byte[] corrupt = good.clone();
        corrupt[150] ^= 1; // the checksum of the first header
        for (int i = 0; i < 3; i++) { // warm up: lazily started pools of the JDK count once
            assertRefusedAnyHow(List.of(Layer.gzip(good), Layer.gzip(corrupt)));
        }
        int before = liveThreads();
        for (int i = 0; i < 30; i++) {
            assertRefusedAnyHow(List.of(Layer.gzip(good), Layer.gzip(corrupt)));
            assertRefusedAnyHow(List.of(Layer.gzip(corrupt), Layer.gzip(good)));
        }
        Thread.sleep(200);
        assertThat(liveThreads()).as(() -> "threads: " + Thread.getAllStackTraces().keySet().stream()
                .map(Thread::getName).sorted().toList()).isLessThanOrEqualTo(before + 2);
    }

    private static int liveThreads() {
        return (int) Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).count();
    }

    /** A PAX 0.1 sparse file 'big' of {@code size} bytes with the given map and data. */
    private static byte[] sparse01(long size, String map, String data) {
        Map<String, String> pax = new LinkedHashMap<>();
        pax.put("GNU.sparse.major", "0");
        pax.put("GNU.sparse.minor", "1");
        pax.put("GNU.sparse.name", "big");
        pax.put("GNU.sparse.realsize", Long.toString(size));
        pax.put("GNU.sparse.map", map);
        return new RawTar().pax(pax).file("GNUSparseFile.0/big", data).end();
    }

    private Path convert(List<Layer> layers) throws Exception {
        OciLayoutWriter.Written layout = OciLayoutWriter.write(work.resolve("layout"), "v1", layers);
        Path out = work.resolve("rootfs.ext4");
        new RootfsConverter(AgentkernelHome.at(work.resolve("home"))).convert(SourceSpec.parse("oci:" + layout.dir()),
                options().withOutput(out));
        return out;
    }

    private void assertRefused(List<Layer> layers, String message) throws Exception {
        long started = System.nanoTime();
        assertThatThrownBy(() -> convert(layers)).isInstanceOf(ImageException.class).hasMessageContaining(message);
        assertThat((System.nanoTime() - started) / 1e9).as("seconds to refuse").isLessThan(5);
        assertThat(list(work)).allMatch(p -> p.equals(work.resolve("layout")) || p.equals(work.resolve("home")));
        deleteLayout();
    }

    private void assertRefusedAnyHow(List<Layer> layers) throws Exception {
        assertThatThrownBy(() -> convert(layers)).isInstanceOf(ImageException.class);
        deleteLayout();
    }

    private void deleteLayout() throws Exception {
        try (Stream<Path> files = Files.walk(work.resolve("layout"))) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static List<Path> list(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    private static RootfsOptions options() {
        return RootfsOptions.defaults().withAgent(AgentChoice.none()).withFreeBytes(8 << 20);
    }
}
