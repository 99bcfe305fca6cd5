package dev.agentkernel.layer;

import dev.agentkernel.testing.OciLayoutWriter.Layer;
import dev.agentkernel.testing.TarLayerBuilder;
import dev.agentkernel.testing.TreeSnapshot;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Each case of OCI flattening, checked entry by entry against umoci unpacking the same image (as root). */
@Tag("umoci")
class FlattenerUmociTest {
    @TempDir
    Path tmp;

    private static byte[] tar(TarLayerBuilder b) {
        return b.tar();
    }

    @Test
    void whiteoutHidesLowerFileAndDirectory() throws Exception {
        byte[] base = new TarLayerBuilder().dir("etc").file("etc/passwd", "root").file("etc/shadow", "secret")
                .dir("opt/app").file("opt/app/a", "a").file("opt/app/sub/b", "b").tar();
        byte[] upper = new TarLayerBuilder().whiteout("etc/shadow").whiteout("opt/app").tar();
        var ours = FlatTrees.assertSameAsUmoci(tmp, List.of(Layer.gzip(base), Layer.gzip(upper)));
        assertThat(ours.get("etc/shadow")).isNull();
        assertThat(ours.get("opt/app")).isNull();
        assertThat(ours.get("opt")).isNotNull();
    }

    @Test
    void opaqueDirectoryHidesLowerContentButKeepsItsOwnLayersEntriesWhereverTheMarkerIs() throws Exception {
        byte[] base = new TarLayerBuilder().dir("a").file("a/old", "old").dir("a/sub").file("a/sub/deep", "d")
                .dir("b").file("b/old", "old").tar();
        byte[] upper = new TarLayerBuilder()
                .dir("a").file("a/new-before", "n1").opaque("a").file("a/new-after", "n2")
                .opaque("b").dir("b").file("b/new", "n").tar();
        var ours = FlatTrees.assertSameAsUmoci(tmp, List.of(Layer.gzip(base), Layer.gzip(upper)));
        assertThat(ours.get("a/old")).isNull();
        assertThat(ours.get("a/sub")).isNull();
        assertThat(ours.get("a/new-before")).isNotNull();
        assertThat(ours.get("a/new-after")).isNotNull();
        assertThat(ours.get("b/old")).isNull();
        assertThat(ours.content("b/new")).isEqualTo("n");
    }

    @Test
    void whiteoutNeverHidesAnEntryOfItsOwnLayer() throws Exception {
        byte[] base = new TarLayerBuilder().file("x", "lower x").file("y", "lower y").tar();
        byte[] upper = new TarLayerBuilder().file("x", "upper x").whiteout("x")
                .whiteout("y").file("y", "upper y").tar();
        var ours = FlatTrees.assertSameAsUmoci(tmp, List.of(Layer.gzip(base), Layer.gzip(upper)));
        assertThat(ours.content("x")).isEqualTo("upper x");
        assertThat(ours.content("y")).isEqualTo("upper y");
        assertThat(ours.sink().everSaw("lower".getBytes())).isFalse();
    }

    @Test
    void aPathTakenByAnotherTypeIsReplaced() throws Exception {
        byte[] base = new TarLayerBuilder()
                .file("file-to-dir", "f")
                .dir("dir-to-file").file("dir-to-file/child", "c")
                .dir("dir-to-symlink").file("dir-to-symlink/child", "c")
                .symlink("symlink-to-dir", "elsewhere")
                .file("file-to-symlink", "f").tar();
        byte[] upper = new TarLayerBuilder()
                .dir("file-to-dir").file("file-to-dir/inside", "i")
                .file("dir-to-file", "now a file")
                .symlink("dir-to-symlink", "/etc")
                .dir("symlink-to-dir").file("symlink-to-dir/x", "x")
                .symlink("file-to-symlink", "target").tar();
        var ours = FlatTrees.assertSameAsUmoci(tmp, List.of(Layer.gzip(base), Layer.gzip(upper)));
        assertThat(ours.get("dir-to-file/child")).isNull();
        assertThat(ours.get("dir-to-symlink/child")).isNull();
        assertThat(ours.get("symlink-to-dir/x")).isNotNull();
    }

    @Test
    void directoryOverDirectoryOnlyUpdatesMetadata() throws Exception {
        byte[] base = new TarLayerBuilder().dir("d", 0700).owner(1, 1).file("d/kept", "k").tar();
        byte[] upper = new TarLayerBuilder().dir("d", 0751).owner(5, 6).mtime(Instant.parse("2023-05-06T07:08:09Z"))
                .file("d/added", "a").tar();
        var ours = FlatTrees.assertSameAsUmoci(tmp, List.of(Layer.gzip(base), Layer.gzip(upper)));
        FlatEntry.Directory d = (FlatEntry.Directory) ours.get("d");
        assertThat(d.metadata().mode()).isEqualTo(0751);
        assertThat(ours.get("d/kept")).isNotNull();
    }

    @Test
    void deleteAndRecreateInOneLayerKeepsTheNewEntries() throws Exception {
        byte[] base = new TarLayerBuilder().dir("app").file("app/config", "old config").file("app/old", "o").tar();
        byte[] upper = new TarLayerBuilder().whiteout("app").dir("app").file("app/config", "new config").tar();
        var ours = FlatTrees.assertSameAsUmoci(tmp, List.of(Layer.gzip(base), Layer.gzip(upper)));
        assertThat(ours.content("app/config")).isEqualTo("new config");
        assertThat(ours.get("app/old")).isNull();
    }

    @Test
    void parentDirectoriesAreImplied() throws Exception {
        byte[] only = new TarLayerBuilder().file("usr/local/bin/tool", "#!/bin/sh").mode(0755).tar();
        var ours = FlatTrees.assertSameAsUmoci(tmp, List.of(Layer.gzip(only)));
        assertThat(((FlatEntry.Directory) ours.get("usr/local")).implied()).isTrue();
    }

    @Test
    void hardLinksToFilesAndSymlinksSurviveTheirTargetBeingReplacedOrDeleted() throws Exception {
        byte[] base = new TarLayerBuilder()
                .file("bin/original", "shared content").mode(0755)
                .hardlink("bin/link", "bin/original")
                .hardlink("bin/link2", "bin/original")
                .symlink("lib/sym", "../bin/original")
                .hardlink("lib/sym-link", "lib/sym")
                .file("keep/a", "a").hardlink("keep/b", "keep/a").tar();
        byte[] upper = new TarLayerBuilder().whiteout("bin/original").file("bin/link2", "replaced")
                .whiteout("lib/sym").tar();
        var ours = FlatTrees.assertSameAsUmoci(tmp, List.of(Layer.gzip(base), Layer.gzip(upper)));
        assertThat(ours.content("bin/link")).isEqualTo("shared content");
        assertThat(ours.content("bin/link2")).isEqualTo("replaced");
        assertThat(ours.get("lib/sym-link")).isInstanceOf(FlatEntry.Symlink.class);
        assertThat(ours.get("keep/b")).isEqualTo(new FlatEntry.HardLink("keep/b", "keep/a"));
    }

    @Test
    void symlinkedParentDirectoriesResolveInsideTheImage() throws Exception {
        byte[] base = new TarLayerBuilder().dir("usr/lib").file("usr/lib/x.so", "old x")
                .symlink("lib", "usr/lib").symlink("lib64", "/usr/lib").dir("etc").symlink("etc/alt", "../usr").tar();
        byte[] upper = new TarLayerBuilder().file("lib/x.so", "new x").file("lib64/y.so", "y")
                .file("etc/alt/lib/z.so", "z").tar();
        var ours = FlatTrees.assertSameAsUmoci(tmp, List.of(Layer.gzip(base), Layer.gzip(upper)));
        assertThat(ours.content("usr/lib/x.so")).isEqualTo("new x");
        assertThat(ours.content("usr/lib/y.so")).isEqualTo("y");
        assertThat(ours.content("usr/lib/z.so")).isEqualTo("z");
        // the old x.so was stored before the symlink was known: it must have been discarded
        assertThat(ours.sink().keeps("old x".getBytes())).isFalse();
    }

    @Test
    void longNamesAndLinkNamesInPaxAndGnuForm() throws Exception {
        String dir = "very/" + "long-directory-name-".repeat(8);
        String file = dir + "/" + "file-with-a-long-name-".repeat(6);
        byte[] pax = new TarLayerBuilder().format(TarLayerBuilder.Format.PAX).file(file, "pax")
                .symlink("pax-symlink", "/" + file).hardlink("pax-" + "hardlink-".repeat(14), file).tar();
        byte[] gnu = new TarLayerBuilder().format(TarLayerBuilder.Format.GNU).file(file + "-gnu", "gnu")
                .symlink("gnu-symlink", "/" + file + "-gnu").hardlink("gnu-" + "hardlink-".repeat(14), file + "-gnu").tar();
        FlatTrees.assertSameAsUmoci(tmp, List.of(Layer.gzip(pax), Layer.gzip(gnu)));
    }

    @Test
    void bigNumbersInBase256AndPax() throws Exception {
        byte[] star = new TarLayerBuilder().format(TarLayerBuilder.Format.GNU)
                .file("big-ids-star", "s").owner(3_000_000, 4_000_000)
                .file("old-mtime", "o").mtime(Instant.parse("1960-01-01T00:00:00Z")).tar();
        byte[] pax = new TarLayerBuilder().format(TarLayerBuilder.Format.PAX)
                .file("big-ids-pax", "p").owner(3_000_001, 4_000_001).tar();
        FlatTrees.assertSameAsUmoci(tmp, List.of(Layer.gzip(star), Layer.zstd(pax)));
    }

    @Test
    void specialModesNumericOwnersAndNanosecondTimes() throws Exception {
        byte[] layer = new TarLayerBuilder()
                .file("setuid", "u").mode(04755).owner(0, 0)
                .file("setgid", "g").mode(02755).owner(1000, 50)
                .dir("sticky", 01777)
                .file("nanos", "n").mtime(Instant.parse("2022-02-03T04:05:06.123456789Z"))
                .dir("nanodir").mtime(Instant.parse("2021-01-01T00:00:00.5Z")).tar();
        var ours = FlatTrees.assertSameAsUmoci(tmp, List.of(Layer.uncompressed(layer)));
        assertThat(((FlatEntry.RegularFile) ours.get("nanos")).metadata().mtime().getNano()).isEqualTo(123456789);
    }

    @Test
    void xattrsAreKeptIncludingBinaryCapabilities() throws Exception {
        // cap_setuid,cap_net_bind_service,cap_net_raw+ep, version 2: bytes above 0x7f included
        byte[] capability = HexFormat.of().parseHex("0100000280240000000000000000000000000000");
        byte[] layer = new TarLayerBuilder()
                .file("usr/bin/ping", "ping").mode(0755).xattr("security.capability", capability)
                .file("tagged", "t").xattr("user.note", "hello")
                .dir("d").xattr("user.dir", "x").tar();
        var ours = FlatTrees.assertSameAsUmoci(tmp, List.of(Layer.gzip(layer)));
        assertThat(((FlatEntry.RegularFile) ours.get("usr/bin/ping")).metadata().xattrs().get("security.capability"))
                .isEqualTo(capability);
    }

    @Test
    void absoluteAndDanglingSymlinksAreKeptAsTheyAre() throws Exception {
        byte[] layer = new TarLayerBuilder().symlink("abs", "/usr/bin/env").symlink("dangling", "no/such/file")
                .symlink("up", "../../outside").symlink("self", "self").tar();
        var ours = FlatTrees.assertSameAsUmoci(tmp, List.of(Layer.gzip(layer)));
        assertThat(((FlatEntry.Symlink) ours.get("up")).target()).isEqualTo("../../outside");
    }

    @Test
    void devicesAndFifos() throws Exception {
        byte[] layer = new TarLayerBuilder().dir("dev").charDevice("dev/null", 1, 3).blockDevice("dev/loop7", 7, 7)
                .charDevice("dev/big", 300, 70000).fifo("run-fifo").tar();
        FlatTrees.assertSameAsUmoci(tmp, List.of(Layer.gzip(layer)));
    }

    @Test
    void whiteoutFilesNeverAppearInTheResult() throws Exception {
        byte[] base = new TarLayerBuilder().file("a", "a").tar();
        byte[] upper = new TarLayerBuilder().whiteout("a").whiteout("never-existed").opaque("newdir")
                .file(".wh..wh.plnk/123.456", "aufs hard link store").tar();
        // umoci keeps the aufs hard-link store's content (only base names are checked): we drop it
        var ours = FlatTrees.assertSameAsUmoci(tmp, List.of(Layer.zstd(base), Layer.gzip(upper)),
                new TreeSnapshot.Options(true, true, List.of(".wh..wh.plnk", ".wh..wh.plnk/123.456")));
        assertThat(ours.tree().entries()).noneMatch(e -> e.path().contains(".wh."));
    }

    @Test
    void sameLayerReplacesAnEarlierEntryOfTheSamePath() throws Exception {
        byte[] layer = new TarLayerBuilder().file("twice", "first").file("twice", "second").tar();
        var ours = FlatTrees.assertSameAsUmoci(tmp, List.of(Layer.gzip(layer)));
        assertThat(ours.content("twice")).isEqualTo("second");
        assertThat(ours.sink().keeps("first".getBytes(StandardCharsets.UTF_8))).isFalse();
    }
}
