package dev.agentkernel.ext4;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** One tree with every kind of entry: e2fsck, debugfs, a read-only mount, then writes through a rw mount. */
class Ext4WriterMountTest {
    static final Timestamp T1 = new Timestamp(1_700_000_000L, 123_456_789);
    static final Timestamp T2 = new Timestamp(1_600_000_000L, 5);
    static final Timestamp DEFAULT = Timestamp.ofSeconds(1_650_000_000L);
    /** A valid VFS_CAP_REVISION_2 value granting cap_net_bind_service (as setcap writes it). */
    static final byte[] CAPABILITY = HexFormat.of().parseHex("0000000200040000000000000000000000000000");

    /** Too big for the inode: both files share one attribute block. */
    static final Metadata BIG_XATTRS = new Metadata(0640, 0, 0, T1, T1, T1,
            TreeModel.xattrs("user.big", "v".repeat(600).getBytes()));

    @TempDir
    Path dir;

    static TreeModel everyKind() {
        Metadata file = new Metadata(0644, 1000, 100, T1, T2, T1, TreeModel.xattrs("user.comment", "hi".getBytes()));
        return new TreeModel()
                .add(new TreeModel.Dir("", Metadata.of(0755, 0, 0, T2)))
                .add(new TreeModel.Dir("etc", new Metadata(01777, 5, 6, T1, T1, T2, TreeModel.xattrs(
                        "trusted.overlay.opaque", "y".getBytes()))))
                .add(new TreeModel.File("etc/passwd", file, new TreeModel.Content(1234, 1, 0)))
                .add(new TreeModel.HardLink("etc/passwd-link", "etc/passwd"))
                .add(new TreeModel.HardLink("other/passwd-link2", "etc/passwd-link"))
                .add(new TreeModel.File("bin/ping", new Metadata(04755, 0, 0, T1, T1, T1,
                        TreeModel.xattrs("security.capability", CAPABILITY)), new TreeModel.Content(70_000, 2, 3)))
                .add(new TreeModel.File("empty", Metadata.of(0600, 0, 0, T1), new TreeModel.Content(0, 0, 0)))
                .add(new TreeModel.File("zeros", Metadata.of(0600, 0, 0, T1), new TreeModel.Content(100_000, 0, 1)))
                .add(new TreeModel.Symlink("bin/sh", Metadata.of(0777, 0, 0, T2), "busybox"))
                .add(new TreeModel.Symlink("long-link", Metadata.of(0777, 7, 8, T2), "target/".repeat(40)))
                .add(new TreeModel.Device("dev/null", Metadata.of(0666, 0, 0, T1), false, 1, 3))
                .add(new TreeModel.Device("dev/big", Metadata.of(0660, 0, 6, T1), true, 259, 70000))
                .add(new TreeModel.Fifo("run/fifo", Metadata.of(0620, 0, 0, T1)))
                .add(new TreeModel.Socket("run/socket", Metadata.of(0755, 3, 4, T2)))
                .add(new TreeModel.Dir("deep/a/b/c/d", Metadata.of(02750, 1, 2, T1)))
                .add(new TreeModel.File("shared/x1", BIG_XATTRS, new TreeModel.Content(5, 5, 0)))
                .add(new TreeModel.File("shared/x2", BIG_XATTRS, new TreeModel.Content(6, 6, 0)));
    }

    @Test
    void everyKindOfEntryReadsBackThroughE2fsckDebugfsAndTheKernel() throws Exception {
        TreeModel model = everyKind();
        Path image = dir.resolve("every.img");
        model.write(image, Ext4Options.builder().seed(new byte[] {7}).defaultTimestamp(DEFAULT).build());

        Tools.assertFsckClean(image);

        List<String> out = Tools.debugfsBatch(image, List.of("stat /etc/passwd", "ea_list /bin/ping",
                "stat /dev/big", "stat /bin/sh", "stat /deep/a/b/c/d", "stat /zeros"));
        assertThat(out.get(0)).contains("Mode:  0644").contains("User:  1000   Group:   100")
                .contains("Links: 3").contains("Size: 1234")
                .contains("mtime: 0x5f5e1000:00000014"); // 1600000000 s, 5 ns << 2
        assertThat(out.get(1)).contains("security.capability (20)");
        assertThat(out.get(2)).contains("Type: block special").contains("Device major/minor number: 259:70000");
        assertThat(out.get(3)).contains("Fast link dest: \"busybox\"");
        assertThat(out.get(4)).contains("Mode:  02750");
        assertThat(out.get(5)).contains("Blockcount: 0"); // all zero: a hole, nothing allocated

        Path mnt = dir.resolve("mnt");
        try (MountedImage m = MountedImage.mount(image, mnt, true)) {
            MountWalk.assertSame(MountWalk.walk(m.root()), model.expectedWalk(DEFAULT));
            assertThat(MountWalk.hardLinkGroups(m.root())).isEqualTo(model.hardLinkGroups());
        }
    }

    @Test
    void theKernelCanWriteIntoTheImageAndE2fsckStaysClean() throws Exception {
        Path image = dir.resolve("rw.img");
        everyKind().write(image, Ext4Options.builder().seed(new byte[] {8}).freeBytes(64L << 20)
                .freeInodes(1000).defaultTimestamp(DEFAULT).build());
        Path mnt = dir.resolve("mnt");
        try (MountedImage m = MountedImage.mount(image, mnt, false)) {
            Path root = m.root();
            for (int i = 0; i < 300; i++) {
                Files.write(root.resolve("etc/new-" + i), new byte[i * 100 + 1]);
            }
            Files.createDirectories(root.resolve("deep/a/new/dir"));
            Files.write(root.resolve("deep/a/new/dir/big"), new byte[20 << 20]);
            Files.delete(root.resolve("etc/passwd"));
            Files.writeString(root.resolve("etc/passwd-link"), "appended", java.nio.file.StandardOpenOption.APPEND);
            Files.move(root.resolve("bin/ping"), root.resolve("ping"));
            var view = Files.getFileAttributeView(root.resolve("shared/x1"),
                    java.nio.file.attribute.UserDefinedFileAttributeView.class);
            view.write("big", java.nio.ByteBuffer.wrap(new byte[] {1})); // the kernel unshares the block
            Files.getFileAttributeView(root.resolve("shared/x2"),
                    java.nio.file.attribute.UserDefinedFileAttributeView.class).delete("big");
        }
        Tools.assertFsckClean(image);
        assertThat(Tools.debugfs(image, "ls /etc")).contains("new-299");
    }
}
