package dev.agentkernel.ext4;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Directed tests, one per on-disk feature, each checked by e2fsck and by debugfs or the kernel. */
class Ext4FeatureTest {
    static final Timestamp T = Timestamp.ofSeconds(1_700_000_000L);

    @TempDir
    Path dir;

    private static Ext4Options options() {
        return Ext4Options.builder().seed("feature".getBytes(StandardCharsets.UTF_8)).defaultTimestamp(T).build();
    }

    private static void assertClean(Path image) {
        Tools.assertFsckClean(image);
    }

    @Test
    void aDirectoryOf20000EntriesIsAnHtreeTheKernelLooksUpIn() throws Exception {
        Path image = dir.resolve("htree.img");
        List<String> names = new ArrayList<>();
        try (Ext4Writer w = Ext4Writer.create(image, options())) {
            FileContent empty = null;
            for (int i = 0; i < 20_000; i++) {
                String name = "entry-" + i + (i % 7 == 0 ? "-with-a-longer-name-é" : "");
                names.add(name);
                w.add(new Ext4Entry.Symlink("big/" + name, Metadata.of(0777, 0, 0, T), "t" + i));
            }
            w.finish();
        }
        assertClean(image);
        String stat = Tools.debugfs(image, "stat /big");
        assertThat(stat).contains("Flags: 0x81000"); // EXTENTS_FL | INDEX_FL
        assertThat(Tools.debugfs(image, "htree_dump /big")).contains("Root node dump:").contains("Number of entries");
        try (MountedImage m = MountedImage.mount(image, dir.resolve("mnt"), true)) {
            for (String name : names) { // each lookup goes through the kernel's dx_probe with our hashes
                assertThat(Files.readSymbolicLink(m.root().resolve("big").resolve(name)).toString())
                        .startsWith("t");
            }
            assertThat(m.root().resolve("big").toFile().list()).hasSize(20_000);
        }
    }

    @Test
    void aDirectoryBeyond507LeavesGetsTwoIndexLevels() throws Exception {
        Path image = dir.resolve("htree2.img");
        try (Ext4Writer w = Ext4Writer.create(image, options())) {
            for (int f = 0; f < 3; f++) { // 150,000 names, only three inodes: hard links keep the test cheap
                w.add(new Ext4Entry.RegularFile("target" + f, Metadata.of(0644, 0, 0, T),
                        w.writeContent(new java.io.ByteArrayInputStream(new byte[] {(byte) ('a' + f)}), 1)));
            }
            for (int i = 0; i < 150_000; i++) {
                w.add(new Ext4Entry.HardLink("huge/name-" + i, "target" + (i % 3)));
            }
            w.finish();
        }
        assertClean(image);
        assertThat(Tools.debugfs(image, "htree_dump /huge")).contains("Indirect levels: 1");
        try (MountedImage m = MountedImage.mount(image, dir.resolve("mnt"), true)) {
            for (int i = 0; i < 150_000; i += 7) {
                assertThat(Files.readAllBytes(m.root().resolve("huge/name-" + i)))
                        .containsExactly((byte) ('a' + i % 3));
            }
        }
    }

    @Test
    void moreThan65000SubdirectoriesUseDirNlink() throws Exception {
        Path image = dir.resolve("nlink.img");
        try (Ext4Writer w = Ext4Writer.create(image, options())) {
            for (int i = 0; i < 65_010; i++) {
                w.add(new Ext4Entry.Directory("many/d" + i, Metadata.of(0755, 0, 0, T)));
            }
            w.finish();
        }
        assertClean(image);
        assertThat(Tools.debugfs(image, "stat /many")).contains("Links: 1");
        assertThat(Tools.debugfs(image, "stat /many/d65009")).contains("Links: 2");
        assertThat(Tools.dumpe2fsHeader(image)).contains("dir_nlink");
    }

    @Test
    void aFragmentedSparseFileGetsADeepExtentTree() throws Exception {
        Path image = dir.resolve("extents.img");
        // every other block zero: 3000 data blocks, 3000 extents, more than one leaf block can index from the inode
        TreeModel.Content content = new TreeModel.Content(6000L * 4096 + 77, 9, 2);
        TreeModel model = new TreeModel().add(new TreeModel.File("frag", Metadata.of(0644, 0, 0, T), content));
        model.write(image, options());
        assertClean(image);
        String stat = Tools.debugfs(image, "stat /frag");
        assertThat(stat).contains("(ETB0)").contains("(ETB1)"); // index blocks on two levels: depth 2
        try (MountedImage m = MountedImage.mount(image, dir.resolve("mnt"), true)) {
            assertThat(MountWalk.walk(m.root()).get("frag")).contains("sha256=" + content.sha256());
        }
    }

    @Test
    void contentFromMappedDirectAndHeapBuffersKeepsHolesAndAPartialLastBlock() throws Exception {
        // 3 data blocks, 2 zero blocks (a hole), 300 data blocks (one run written directly), 777 bytes more
        int blocks = 3 + 2 + 300;
        byte[] bytes = new byte[blocks * 4096 + 777];
        new Random(5).nextBytes(bytes);
        java.util.Arrays.fill(bytes, 3 * 4096, 5 * 4096, (byte) 0);
        Path source = Files.write(dir.resolve("source.bin"), bytes);
        byte[] padded = new byte[bytes.length + 20];
        System.arraycopy(bytes, 0, padded, 13, bytes.length);
        java.nio.ByteBuffer heap = java.nio.ByteBuffer.wrap(padded, 13, bytes.length); // position 13, not 0
        java.nio.ByteBuffer direct = java.nio.ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();

        Path image = dir.resolve("buffers.img");
        try (var channel = java.nio.channels.FileChannel.open(source);
             Ext4Writer w = Ext4Writer.create(image, options())) {
            var mapped = channel.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, 0, bytes.length);
            for (var named : List.of(Map.entry("mapped", (java.nio.ByteBuffer) mapped), Map.entry("heap", heap),
                    Map.entry("direct", direct))) {
                int position = named.getValue().position();
                FileContent content = w.writeContent(named.getValue());
                assertThat(named.getValue().position()).as("the buffer's position is left alone").isEqualTo(position);
                w.add(new Ext4Entry.RegularFile(named.getKey(), Metadata.of(0644, 0, 0, T), content));
            }
            w.finish();
        }
        assertClean(image);
        for (String name : List.of("mapped", "heap", "direct")) {
            String stat = Tools.debugfs(image, "stat /" + name);
            assertThat(stat).contains("Size: " + bytes.length).contains("(0-2):").contains("(5-305):")
                    .doesNotContain("(3-4)").doesNotContain("(0-305)"); // the zero blocks are a hole
        }
        try (MountedImage m = MountedImage.mount(image, dir.resolve("mnt"), true)) {
            for (String name : List.of("mapped", "heap", "direct")) {
                assertThat(Files.readAllBytes(m.root().resolve(name))).as(name).isEqualTo(bytes);
            }
        }
    }

    @Test
    void aSparseFileOver4GiBKeepsItsSizeAndCostsOnlyItsData() throws Exception {
        Path image = dir.resolve("large.img");
        long size = (5L << 30) + 12345;
        // data only in every 65536th block: 20 blocks of 5 GiB
        TreeModel.Content content = new TreeModel.Content(size, 3, -65536);
        TreeModel model = new TreeModel().add(new TreeModel.File("large", Metadata.of(0644, 0, 0, T), content));
        Ext4Result result = model.write(image, options());
        assertClean(image);
        assertThat(Tools.debugfs(image, "stat /large")).contains("Size: " + size);
        assertThat(allocatedBytes(image)).isLessThan(64L << 20); // sparse output: the zeros were never written
        assertThat(result.sizeBytes()).isLessThan(1L << 30); // the image holds holes, not 5 GiB of blocks
        try (MountedImage m = MountedImage.mount(image, dir.resolve("mnt"), true)) {
            try (RandomAccessFile f = new RandomAccessFile(m.root().resolve("large").toFile(), "r");
                 InputStream expected = content.open()) {
                assertThat(f.length()).isEqualTo(size);
                long offset = 65536L * 4096 * 19;
                expected.skipNBytes(offset);
                byte[] want = expected.readNBytes(8192);
                byte[] got = new byte[8192];
                f.seek(offset);
                f.readFully(got);
                assertThat(got).isEqualTo(want);
            }
        }
    }

    @Test
    void dataStreamedAcrossABackupSuperblockGroupStepsOverItsHead() throws Exception {
        Path image = dir.resolve("cross.img");
        TreeModel.Content content = new TreeModel.Content(130L << 20, 4, 0); // past block 32768, group 1's head
        TreeModel model = new TreeModel().add(new TreeModel.File("big", Metadata.of(0644, 0, 0, T), content));
        model.write(image, options());
        assertClean(image);
        String stat = Tools.debugfs(image, "stat /big");
        Matcher m = Pattern.compile("\\((\\d+)-(\\d+)\\):(\\d+)-(\\d+)").matcher(stat);
        List<long[]> extents = new ArrayList<>();
        while (m.find()) {
            extents.add(new long[] {Long.parseLong(m.group(3)), Long.parseLong(m.group(4))});
        }
        assertThat(extents).hasSizeGreaterThan(1);
        for (long[] e : extents) { // no extent touches the backup superblock or its descriptor table
            assertThat(e[0] > 32768 + 1 || e[1] < 32768).as(e[0] + "-" + e[1]).isTrue();
        }
        try (MountedImage mounted = MountedImage.mount(image, dir.resolve("mnt"), true)) {
            MountWalk.assertSame(MountWalk.walk(mounted.root()), model.expectedWalk(T));
        }
    }

    @Test
    void attributesThatDoNotFitTheInodeGoToABlockAndSecurityCapabilitySurvives() throws Exception {
        Path image = dir.resolve("xattr.img");
        byte[] big = new byte[1500];
        new Random(1).nextBytes(big);
        Metadata meta = new Metadata(0755, 0, 0, T, T, T, TreeModel.xattrs(
                "security.capability", Ext4WriterMountTest.CAPABILITY, "user.big", big,
                "trusted.x", "1".getBytes(), "security.selinux", "system_u:object_r:bin_t:s0\0".getBytes()));
        TreeModel model = new TreeModel()
                .add(new TreeModel.File("bin/tool", meta, new TreeModel.Content(10, 1, 0)))
                .add(new TreeModel.File("bin/tool2", meta, new TreeModel.Content(20, 2, 0)))
                .add(new TreeModel.Dir("bin/dir", meta))
                .add(new TreeModel.Dir("small", Metadata.of(0755, 0, 0, T).withXattrs(
                        TreeModel.xattrs("user.a", "b".getBytes()))));
        model.write(image, options());
        assertClean(image); // e2fsck checks the shared block's reference count
        String acl = Tools.debugfs(image, "stat /bin/tool").replaceAll("(?s).*File ACL: (\\d+).*", "$1");
        assertThat(Long.parseLong(acl)).isPositive();
        assertThat(Tools.debugfs(image, "stat /bin/tool2")).containsPattern("File ACL: " + acl + "\\s"); // one shared block
        assertThat(Tools.debugfs(image, "stat /bin/dir")).containsPattern("File ACL: " + acl + "\\s");
        assertThat(Tools.debugfs(image, "stat /small")).contains("File ACL: 0");
        assertThat(Tools.debugfs(image, "ea_list /bin/tool")).contains("security.capability (20)")
                .contains("user.big (1500)").contains("trusted.x (1)");
        try (MountedImage m = MountedImage.mount(image, dir.resolve("mnt"), true)) {
            MountWalk.assertSame(MountWalk.walk(m.root()), model.expectedWalk(T));
        }
    }

    @Test
    void aFixedSizeTooSmallFailsNamingTheSizeNeededAndLeavesNothing() throws Exception {
        Path image = dir.resolve("fixed.img");
        TreeModel model = new TreeModel();
        for (int i = 0; i < 50; i++) {
            model.add(new TreeModel.File("f" + i, Metadata.of(0644, 0, 0, T), new TreeModel.Content(100_000, i, 0)));
        }
        Ext4Options tooSmall = Ext4Options.builder().seed(new byte[1]).fixedSizeBytes(8L << 20).build();
        Throwable thrown = catchFinish(() -> model.write(image, tooSmall));
        assertThat(thrown).isInstanceOf(Ext4Exception.class).hasMessageContaining("8388608")
                .hasMessageMatching("(?s).*needs at least \\d+ bytes.*");
        long needed = neededBytes(thrown.getMessage());
        assertThat(needed).isGreaterThan(8L << 20);
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty(); // no truncated image, no temporary file
        }
        Ext4Result ok = model.write(image, Ext4Options.builder().seed(new byte[1]).fixedSizeBytes(needed).build());
        assertThat(ok.sizeBytes()).isEqualTo(needed);
        assertClean(image);
    }

    @Test
    void contentLargerThanAFixedSizeFailsWhileStreaming() throws Exception {
        Path image = dir.resolve("stream.img");
        try (Ext4Writer w = Ext4Writer.create(image, Ext4Options.builder().fixedSizeBytes(4L << 20).build())) {
            Throwable thrown = catchFinish(() -> w.writeContent(new TreeModel.Content(10L << 20, 1, 0).open(), 10L << 20));
            assertThat(thrown).isInstanceOf(Ext4Exception.class).hasMessageContaining("needs at least");
        }
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void aFixedSizeImageHasExactlyThatSizeAndIsClean() throws Exception {
        Path image = dir.resolve("exact.img");
        Ext4WriterMountTest.everyKind().write(image, Ext4Options.builder().fixedSizeBytes(300L << 20).build());
        assertThat(Files.size(image)).isEqualTo(300L << 20);
        assertClean(image);
        assertThat(Tools.dumpe2fsHeader(image))
                .containsPattern("Block count: +76800");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(longs = {
            400L << 20,               // the last group (3) holds a backup superblock
            (384L << 20) + (100 << 10), // a last group too small for its backup: dropped
            (129L << 20) + 4096,      // a tiny second group
            (1L << 30) + 4096})
    void fixedSizesWithAwkwardLastGroupsAreClean(long size) throws Exception {
        Path image = dir.resolve("awkward.img");
        Ext4Result r = Ext4WriterMountTest.everyKind().write(image, Ext4Options.builder().fixedSizeBytes(size).build());
        assertThat(Files.size(image)).isEqualTo(size);
        assertThat(r.blockCount()).isLessThanOrEqualTo(size / 4096);
        assertClean(image);
    }

    @Test
    void withoutAJournalTheImageHasNone() throws Exception {
        Path image = dir.resolve("nojournal.img");
        Ext4WriterMountTest.everyKind().write(image, Ext4Options.builder().journal(false).build());
        assertClean(image);
        String header = Tools.dumpe2fsHeader(image);
        assertThat(header).doesNotContain("has_journal").contains("metadata_csum");
    }

    @Test
    void anImageOverSeveralGroupsWithFreeSpaceIsClean() throws Exception {
        Path image = dir.resolve("groups.img");
        Ext4Result r = Ext4WriterMountTest.everyKind().write(image, Ext4Options.builder().freeBytes(3L << 30)
                .freeInodes(100_000).build());
        assertThat(r.blockCount()).isGreaterThan(24 * 32768L);
        assertThat(r.freeInodes()).isGreaterThanOrEqualTo(100_000);
        assertClean(image);
        assertThat(allocatedBytes(image)).isLessThan(16L << 20);
    }

    static long allocatedBytes(Path file) {
        Tools.Result r = Tools.run(List.of("stat", "-c", "%b %B", file.toString()), 30);
        String[] parts = r.stdout().trim().split(" ");
        return Long.parseLong(parts[0]) * Long.parseLong(parts[1]);
    }

    static long neededBytes(String message) {
        Matcher m = Pattern.compile("needs at least (\\d+) bytes").matcher(message);
        assertThat(m.find()).as(message).isTrue();
        return Long.parseLong(m.group(1));
    }

    interface Action {
        void run() throws IOException;
    }

    static Throwable catchFinish(Action action) {
        try {
            action.run();
        } catch (Throwable t) {
            return t;
        }
        throw new AssertionError("expected a failure");
    }
}
