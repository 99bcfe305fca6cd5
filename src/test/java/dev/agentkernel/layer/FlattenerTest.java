package dev.agentkernel.layer;

import dev.agentkernel.errors.ImageException;
import dev.agentkernel.testing.OciLayoutWriter;
import dev.agentkernel.testing.TarLayerBuilder;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Flattening without a reference unpacker: what must never reach the sink, streams, and bad input. */
class FlattenerTest {
    private static final byte[] SECRET = "AKIA-SECRET-CREDENTIAL-0123456789".getBytes(StandardCharsets.UTF_8);

    private static LayerSource source(String name, String mediaType, byte[] blob) {
        return new LayerSource(name, mediaType, () -> new ByteArrayInputStream(blob));
    }

    private static FlatTrees.Flattened flatten(LayerSource... layers) throws IOException {
        return FlatTrees.flatten(List.of(layers));
    }

    @Test
    void bytesOfDeletedOrReplacedFilesNeverReachTheSink() throws Exception {
        byte[] base = new TarLayerBuilder()
                .file("root/.aws/credentials", SECRET)
                .file("etc/replaced", SECRET)
                .dir("build").file("build/token", SECRET)
                .dir("cache").file("cache/key", SECRET)
                .file("becomes-dir", SECRET)
                .file("kept", "public").tar();
        byte[] upper = new TarLayerBuilder()
                .whiteout("root/.aws/credentials")
                .file("etc/replaced", "new")
                .whiteout("build")
                .opaque("cache")
                .dir("becomes-dir").tar();
        var ours = flatten(source("base", OciLayoutWriter.TAR_GZIP, TarLayerBuilder.gzip(base)),
                source("upper", OciLayoutWriter.TAR_ZSTD, TarLayerBuilder.zstd(upper)));
        assertThat(ours.sink().everSaw(SECRET)).isFalse();
        assertThat(ours.tree().discardedBytes()).isZero();
        assertThat(ours.content("kept")).isEqualTo("public");
    }

    @Test
    void aHardLinkToAFileDeletedAboveIsFilledByReadingOnlyItsLayerAgain() throws Exception {
        byte[] base = TarLayerBuilder.gzip(new TarLayerBuilder().file("x", "unrelated").tar());
        byte[] middle = TarLayerBuilder.gzip(new TarLayerBuilder().file("bin/tool", "tool bytes")
                .hardlink("bin/alias", "bin/tool").tar());
        byte[] upper = TarLayerBuilder.gzip(new TarLayerBuilder().whiteout("bin/tool").tar());
        // layers are opened on their inflating threads, two at a time: a sorted map that is thread-safe
        java.util.Map<String, Integer> opens = new java.util.concurrent.ConcurrentSkipListMap<>();
        List<LayerSource> layers = new java.util.ArrayList<>();
        for (var named : List.of(java.util.Map.entry("base", base), java.util.Map.entry("middle", middle),
                java.util.Map.entry("upper", upper))) {
            layers.add(new LayerSource(named.getKey(), OciLayoutWriter.TAR_GZIP, () -> {
                opens.merge(named.getKey(), 1, Integer::sum);
                return new ByteArrayInputStream(named.getValue());
            }));
        }
        var ours = FlatTrees.flatten(layers);
        assertThat(ours.content("bin/alias")).isEqualTo("tool bytes");
        assertThat(ours.get("bin/tool")).isNull();
        assertThat(opens).containsExactly(java.util.Map.entry("base", 1), java.util.Map.entry("middle", 2),
                java.util.Map.entry("upper", 1));
    }

    @Test
    void contentUnderASymlinkedParentIsDiscardedWhenItTurnsOutHidden() throws Exception {
        byte[] base = new TarLayerBuilder().dir("usr/lib").file("usr/lib/libc.so", SECRET).symlink("lib", "usr/lib").tar();
        byte[] upper = new TarLayerBuilder().file("lib/libc.so", "patched").tar();
        var ours = flatten(source("base", OciLayoutWriter.TAR, base), source("upper", OciLayoutWriter.TAR, upper));
        assertThat(ours.content("usr/lib/libc.so")).isEqualTo("patched");
        assertThat(ours.sink().keeps(SECRET)).isFalse();
        assertThat(ours.tree().discardedBytes()).isEqualTo(SECRET.length);
    }

    @Test
    void overlayAndRootlessBookkeepingXattrsAreDropped() throws Exception {
        byte[] layer = new TarLayerBuilder().dir("d").xattr("trusted.overlay.opaque", "y")
                .xattr("user.rootlesscontainers", "\u0008\u0001").xattr("user.kept", "k").tar();
        var ours = flatten(source("l", OciLayoutWriter.TAR, layer));
        assertThat(((FlatEntry.Directory) ours.get("d")).metadata().xattrs()).containsOnlyKeys("user.kept");
    }

    @Test
    void theSameTreeFromEveryCompression() throws Exception {
        byte[] tar = new TarLayerBuilder().dir("a").file("a/b", "bytes".repeat(10_000)).symlink("c", "a/b").tar();
        var plain = flatten(source("l", OciLayoutWriter.TAR, tar));
        var gzip = flatten(source("l", OciLayoutWriter.TAR_GZIP, TarLayerBuilder.gzip(tar)));
        var zstd = flatten(source("l", OciLayoutWriter.TAR_ZSTD, TarLayerBuilder.zstd(tar)));
        var sniffed = flatten(source("l", null, TarLayerBuilder.zstd(tar)));
        assertThat(gzip.snapshot()).isEqualTo(plain.snapshot()).isEqualTo(zstd.snapshot()).isEqualTo(sniffed.snapshot());
        assertThat(plain.content("a/b")).hasSize(50_000);
    }

    @Test
    void everyBlobAndTarIsReadToItsEndSoVerifyingStreamsCheckThem() throws Exception {
        byte[] tar = new TarLayerBuilder().file("f", "x").tar();
        byte[] blob = TarLayerBuilder.gzip(tar);
        AtomicLong blobBytes = new AtomicLong();
        AtomicLong tarBytes = new AtomicLong();
        LayerSource layer = new LayerSource("l", OciLayoutWriter.TAR_GZIP,
                () -> counting(new ByteArrayInputStream(blob), blobBytes), in -> counting(in, tarBytes));
        Flattener.flatten(List.of(layer), new MemorySink());
        assertThat(blobBytes.get()).isEqualTo(blob.length);
        assertThat(tarBytes.get()).isEqualTo(tar.length);
    }

    @Test
    void aFailureOfTheUncompressedCheckIsReported() {
        byte[] tar = new TarLayerBuilder().file("f", "x").tar();
        LayerSource layer = new LayerSource("layer 1 of 1", OciLayoutWriter.TAR_GZIP,
                () -> new ByteArrayInputStream(TarLayerBuilder.gzip(tar)), in -> new FilterInputStream(in) {
                    @Override
                    public int read(byte[] b, int off, int len) throws IOException {
                        int n = super.read(b, off, len);
                        if (n < 0) {
                            throw new ImageException("layer 1 of 1: diff_id mismatch");
                        }
                        return n;
                    }
                });
        assertThatThrownBy(() -> Flattener.flatten(List.of(layer), new MemorySink()))
                .isInstanceOf(ImageException.class).hasMessage("layer 1 of 1: diff_id mismatch");
    }

    @Test
    void truncatedGzipIsAnErrorNamingTheLayer() {
        byte[] blob = TarLayerBuilder.gzip(new TarLayerBuilder().file("big", "data".repeat(100_000)).tar());
        byte[] truncated = Arrays.copyOf(blob, blob.length / 2);
        assertThatThrownBy(() -> flatten(source("layer 2 of 3 (sha256:abc)", OciLayoutWriter.TAR_GZIP, truncated)))
                .isInstanceOf(ImageException.class).hasMessageContaining("layer 2 of 3 (sha256:abc)")
                .hasMessageContaining("truncated");
    }

    @Test
    void gzipCutAfterTheTarEndIsStillAnError() {
        byte[] blob = TarLayerBuilder.gzip(new TarLayerBuilder().file("f", "x").tar());
        byte[] truncated = Arrays.copyOf(blob, blob.length - 4); // the trailer's size field is missing
        assertThatThrownBy(() -> flatten(source("layer 1", OciLayoutWriter.TAR_GZIP, truncated)))
                .isInstanceOf(ImageException.class).hasMessageContaining("layer 1");
    }

    @Test
    void corruptGzipIsAnErrorNamingTheLayer() {
        byte[] blob = TarLayerBuilder.gzip(new TarLayerBuilder().file("big", "data".repeat(100_000)).tar());
        for (int i = 20; i < 60; i++) {
            blob[i] ^= 0x5a;
        }
        assertThatThrownBy(() -> flatten(source("layer 1", OciLayoutWriter.TAR_GZIP, blob)))
                .isInstanceOf(ImageException.class).hasMessageContaining("layer 1");
    }

    @Test
    void truncatedZstdIsAnError() {
        byte[] blob = TarLayerBuilder.zstd(new TarLayerBuilder().file("big", "data".repeat(100_000)).tar());
        byte[] truncated = Arrays.copyOf(blob, blob.length - 10);
        assertThatThrownBy(() -> flatten(source("layer 1", OciLayoutWriter.TAR_ZSTD, truncated)))
                .isInstanceOf(ImageException.class).hasMessageContaining("layer 1");
    }

    @Test
    void truncatedTarIsAnError() {
        byte[] tar = new TarLayerBuilder().file("big", "data".repeat(100_000)).tar();
        byte[] truncated = Arrays.copyOf(tar, 10_000);
        assertThatThrownBy(() -> flatten(source("layer 1", OciLayoutWriter.TAR, truncated)))
                .isInstanceOf(ImageException.class).hasMessageContaining("layer 1").hasMessageContaining("truncated")
                .hasMessageContaining("big");
    }

    @Test
    void dataThatIsNoTarIsAnError() {
        byte[] junk = "this is not a tar archive at all, just text".repeat(20).getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> flatten(source("layer 1", OciLayoutWriter.TAR_GZIP, TarLayerBuilder.gzip(junk))))
                .isInstanceOf(ImageException.class).hasMessageContaining("layer 1").hasMessageContaining("checksum");
    }

    @Test
    void magicBytesMustMatchTheMediaType() {
        byte[] tar = new TarLayerBuilder().file("f", "x").tar();
        assertThatThrownBy(() -> flatten(source("layer 1", OciLayoutWriter.TAR_GZIP, TarLayerBuilder.zstd(tar))))
                .isInstanceOf(ImageException.class).hasMessage("layer 1 is declared gzip but its data is zstd");
        assertThatThrownBy(() -> flatten(source("layer 1", OciLayoutWriter.TAR, TarLayerBuilder.gzip(tar))))
                .isInstanceOf(ImageException.class)
                .hasMessage("layer 1 is declared an uncompressed tar but its data is gzip");
        assertThatThrownBy(() -> flatten(source("layer 1", OciLayoutWriter.TAR_ZSTD, tar)))
                .isInstanceOf(ImageException.class)
                .hasMessage("layer 1 is declared zstd but does not start with the zstd magic bytes");
        assertThatThrownBy(() -> flatten(source("layer 1", "application/vnd.oci.image.config.v1+json", tar)))
                .isInstanceOf(ImageException.class).hasMessageContaining("not a layer");
    }

    @Test
    void entriesEscapingTheRootAreRejected() {
        TarArchiveEntry escape = new TarArchiveEntry("../../etc/passwd", TarConstants.LF_NORMAL, true);
        byte[] tar = new TarLayerBuilder().file("ok", "x").entry(escape, new byte[0]).tar();
        assertThatThrownBy(() -> flatten(source("layer 3", OciLayoutWriter.TAR, tar)))
                .isInstanceOf(ImageException.class).hasMessageContaining("layer 3")
                .hasMessageContaining("../../etc/passwd").hasMessageContaining("escapes");

        byte[] link = new TarLayerBuilder().hardlink("evil", "a/../../etc/shadow").tar();
        assertThatThrownBy(() -> flatten(source("layer 4", OciLayoutWriter.TAR, link)))
                .isInstanceOf(ImageException.class).hasMessageContaining("layer 4")
                .hasMessageContaining("evil").hasMessageContaining("escapes");
    }

    @Test
    void pathsThatStayInsideTheRootAreCleaned() throws Exception {
        TarArchiveEntry absolute = new TarArchiveEntry("/abs/file", TarConstants.LF_NORMAL, true);
        byte[] tar = new TarLayerBuilder().file("./dot/./x/../file", "d").entry(absolute, new byte[0]).tar();
        var ours = flatten(source("l", OciLayoutWriter.TAR, tar));
        assertThat(ours.get("dot/file")).isNotNull();
        assertThat(ours.get("abs/file")).isNotNull();
    }

    @Test
    void aHardLinkToNothingIsAnError() {
        byte[] tar = new TarLayerBuilder().hardlink("link", "missing").tar();
        assertThatThrownBy(() -> flatten(source("layer 1", OciLayoutWriter.TAR, tar)))
                .isInstanceOf(ImageException.class).hasMessageContaining("layer 1")
                .hasMessageContaining("'link'").hasMessageContaining("does not exist");
    }

    @Test
    void entriesAreOrderedDepthFirstWithSortedSiblings() throws Exception {
        byte[] tar = new TarLayerBuilder().file("b/z", "z").file("a-c", "1").file("a/b", "2").dir("b").tar();
        var ours = flatten(source("l", OciLayoutWriter.TAR, tar));
        assertThat(ours.tree().entries()).extracting(FlatEntry::path)
                .containsExactly("", "a", "a/b", "a-c", "b", "b/z");
    }

    @Test
    void theListenerHearsOfEveryLayerNewestFirstWithItsSize() throws Exception {
        byte[] base = TarLayerBuilder.gzip(new TarLayerBuilder().file("a", new byte[3 << 20]).file("b", "b").tar());
        byte[] upper = TarLayerBuilder.gzip(new TarLayerBuilder().file("c", "c").tar());
        List<String> events = new java.util.ArrayList<>();
        Flattener.flatten(List.of(source("base", OciLayoutWriter.TAR_GZIP, base),
                source("upper", OciLayoutWriter.TAR_GZIP, upper)), new MemorySink(), new FlattenListener() {
            @Override
            public void layerStarted(int position, LayerSource layer) {
                events.add("start " + position + " " + layer.name());
            }

            @Override
            public void layerFinished(int position, LayerSource layer, long compressedBytes, int entries) {
                events.add("done " + position + " " + compressedBytes + " bytes " + entries + " entries");
            }
        });
        assertThat(events).containsExactly("start 1 upper", "done 1 " + upper.length + " bytes 1 entries",
                "start 0 base", "done 0 " + base.length + " bytes 2 entries");
    }

    @Test
    void flatteningIsDeterministic() throws Exception {
        byte[] base = TarLayerBuilder.gzip(new TarLayerBuilder().dir("usr/lib").file("usr/lib/a", "a")
                .symlink("lib", "usr/lib").file("z", "z").file("m/n", "n").hardlink("m/o", "m/n").tar());
        byte[] upper = TarLayerBuilder.zstd(new TarLayerBuilder().file("lib/a", "a2").whiteout("z")
                .file("c", "c").file("b", "b").tar());
        List<LayerSource> layers = List.of(source("base", OciLayoutWriter.TAR_GZIP, base),
                source("upper", OciLayoutWriter.TAR_ZSTD, upper));
        var first = FlatTrees.flatten(layers);
        var second = FlatTrees.flatten(layers);
        assertThat(second.snapshot()).isEqualTo(first.snapshot());
        assertThat(second.tree().entries()).extracting(FlatEntry::path)
                .containsExactlyElementsOf(first.tree().entries().stream().map(FlatEntry::path).toList());
        assertThat(second.sink().stored).extracting(r -> new String(r.bytes) + (r.discarded ? " (discarded)" : ""))
                .containsExactlyElementsOf(first.sink().stored.stream()
                        .map(r -> new String(r.bytes) + (r.discarded ? " (discarded)" : "")).toList());
    }

    @Test
    void anEmptyImageIsJustTheRoot() throws Exception {
        var ours = FlatTrees.flatten(List.of(source("l", OciLayoutWriter.TAR, new byte[0])));
        assertThat(ours.tree().entries()).extracting(FlatEntry::path).containsExactly("");
    }

    private static InputStream counting(InputStream in, AtomicLong count) {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    count.incrementAndGet();
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n > 0) {
                    count.addAndGet(n);
                }
                return n;
            }
        };
    }
}
