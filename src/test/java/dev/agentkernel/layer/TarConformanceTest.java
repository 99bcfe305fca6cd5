package dev.agentkernel.layer;

import dev.agentkernel.errors.ImageException;
import dev.agentkernel.testing.OciLayoutWriter.Layer;
import dev.agentkernel.testing.RawTar;
import dev.agentkernel.testing.RequiredTools;
import dev.agentkernel.testing.TestProcess;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Archives whose reading the tar implementations have to agree on, written header by header ({@link RawTar}),
 * each read by us and by the references: umoci (Go's archive/tar, what container runtimes read layers with)
 * entry by entry, and GNU tar and bsdtar by the names they list.
 */
@Tag("umoci")
class TarConformanceTest {
    @TempDir
    Path tmp;

    @Test
    void symlinksAre0777WhateverTheHeaderSays() throws Exception {
        byte[] tar = new RawTar().symlink("ln-0644", "target", 0644).symlink("ln-0000", "target", 0)
                .symlink("ln-4755", "/abs", 04755).end();
        var ours = FlatTrees.assertSameAsUmoci(tmp, List.of(Layer.uncompressed(tar)));
        for (String name : List.of("ln-0644", "ln-0000", "ln-4755")) {
            assertThat(((FlatEntry.Symlink) ours.get(name)).metadata().mode()).as(name).isEqualTo(0777);
        }
    }

    @Test
    void aSecondPaxHeaderReplacesTheFirstOne() throws Exception {
        byte[] tar = new RawTar()
                .pax(Map.of("path", "first-pax-name")).pax(Map.of("mtime", "1600000000.5")).file("header-name", "a")
                .pax(Map.of("path", "pax-one")).pax(Map.of("path", "pax-two")).file("header-two", "b")
                .pax(ordered("path", "kept-name", "uid", "7")).file("plain", "c")
                .end();
        var ours = FlatTrees.assertSameAsUmoci(tmp, List.of(Layer.uncompressed(tar)));
        assertThat(paths(ours)).containsExactly("header-name", "kept-name", "pax-two");
        assertThat(ours.get("header-name")).extracting(e -> ((FlatEntry.RegularFile) e).metadata().mtime())
                .hasToString("2020-09-13T12:26:40.500Z");
        assertThat(referenceNames("tar", tar)).containsExactlyElementsOf(paths(ours));
        assertThat(referenceNames("bsdtar", tar)).containsExactlyElementsOf(paths(ours));
    }

    @Test
    void anExtendedHeaderAtTheEndDescribesNothing() throws Exception {
        for (char type : new char[]{'x', 'L'}) {
            RawTar raw = new RawTar().file("a", "a");
            if (type == 'x') {
                raw.pax(Map.of("path", "dangling"));
            } else {
                raw.gnuLong('L', "dangling");
            }
            byte[] withEnd = Arrays.copyOf(raw.unterminated(), raw.unterminated().length + 1024);
            byte[] withoutEnd = raw.unterminated();
            for (byte[] tar : List.of(withEnd, withoutEnd)) {
                Path dir = Files.createTempDirectory(tmp, "case");
                var ours = FlatTrees.assertSameAsUmoci(dir, List.of(Layer.uncompressed(tar)));
                assertThat(paths(ours)).containsExactly("a");
                assertThat(referenceNames("tar", tar)).containsExactly("a"); // GNU tar agrees; bsdtar calls it damaged
            }
        }
    }

    @Test
    void oldGnuTimesThatAreNoNumbersAreTheUstarPrefixGoBefore18Wrote() throws Exception {
        byte[] tar = new RawTar()
                .header("foo", '0').gnu().put(345, "some/prefix".getBytes(StandardCharsets.US_ASCII)).size(2)
                .write("hi".getBytes(StandardCharsets.US_ASCII))
                .header("bar", '0').gnu().put(345, "0000000".getBytes(StandardCharsets.US_ASCII))
                .put(357, "xyz".getBytes(StandardCharsets.US_ASCII)).size(1).write(new byte[]{'b'})
                .header("valid-times", '0').gnu().octal(345, 12, 1_600_000_000L).octal(357, 12, 1_600_000_001L)
                .write()
                .end();
        var ours = FlatTrees.assertSameAsUmoci(tmp, List.of(Layer.uncompressed(tar)));
        assertThat(paths(ours)).contains("some/prefix/foo", "0000000/bar", "valid-times");
        assertThat(((FlatEntry.RegularFile) ours.get("valid-times")).metadata().atime())
                .hasToString("2020-09-13T12:26:40Z");
        // GNU tar and bsdtar read the archive too, ignoring the fields (so without the prefixes)
        assertThat(referenceNames("tar", tar)).containsExactly("bar", "foo", "valid-times");
        assertThat(referenceNames("bsdtar", tar)).containsExactly("bar", "foo", "valid-times");
    }

    @Test
    void timesOutsideWhatAnInstantHoldsNameTheLayerAndTheEntry() {
        byte[] base256 = new RawTar().header("far-future", '0').base256(136, 12, Long.MAX_VALUE / 2).write().end();
        byte[] pax = new RawTar().pax(Map.of("mtime", "99999999999999999")).file("pax-future", "x").end();
        byte[] exponent = new RawTar().pax(Map.of("mtime", "1e999999999")).file("exponent", "x").end();
        assertThatThrownBy(() -> read(base256)).isInstanceOf(ImageException.class)
                .hasMessage("layer 1: the mtime of 'far-future' (4611686018427387903 seconds from 1970) is out of range");
        assertThatThrownBy(() -> read(pax)).isInstanceOf(ImageException.class)
                .hasMessage("layer 1: invalid PAX mtime '99999999999999999' of 'pax-future'");
        assertThatThrownBy(() -> read(exponent)).isInstanceOf(ImageException.class)
                .hasMessage("layer 1: invalid PAX mtime '1e999999999' of 'exponent'");
    }

    private static List<String> read(byte[] tar) throws Exception {
        var flat = FlatTrees.flatten(List.of(new LayerSource("layer 1", "application/vnd.oci.image.layer.v1.tar",
                () -> new java.io.ByteArrayInputStream(tar))));
        return paths(flat);
    }

    private static Map<String, String> ordered(String... keysAndValues) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    /** The entries other than the root, sorted. */
    private static List<String> paths(FlatTrees.Flattened flat) {
        return flat.tree().entries().stream().map(FlatEntry::path).filter(p -> !p.isEmpty()).sorted().toList();
    }

    /** The regular files' and directories' names that {@code program -tf} lists, sorted, without trailing '/'. */
    private List<String> referenceNames(String program, byte[] tar) throws Exception {
        Path file = Files.createTempFile(tmp, "reference", ".tar");
        Files.write(file, tar);
        var result = TestProcess.runAllowingFailure(List.of(RequiredTools.require(program).toString(), "-tf",
                file.toString()), Duration.ofSeconds(30));
        TreeSet<String> names = new TreeSet<>();
        for (String line : result.stdout().split("\n")) {
            if (!line.isBlank()) {
                names.add(line.endsWith("/") ? line.substring(0, line.length() - 1) : line);
            }
        }
        return List.copyOf(names);
    }
}
