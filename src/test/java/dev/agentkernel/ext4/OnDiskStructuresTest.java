package dev.agentkernel.ext4;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Sizes, encodings and checksums of the on-disk structures, pinned. */
class OnDiskStructuresTest {
    @TempDir
    Path dir;

    @Test
    void structuresHaveTheirOnDiskSizes() {
        Superblock sb = new Superblock();
        assertThat(sb.encode()).hasSize(1024);
        Inode inode = new Inode();
        inode.atime = inode.ctime = inode.mtime = inode.crtime = Timestamp.EPOCH;
        assertThat(inode.encode(12, 0)).hasSize(256);
        byte[] table = new byte[128];
        new GroupDescriptor().encode(table, 64, 1, 0);
        assertThat(table).startsWith(new byte[64]); // wrote only its own 64 bytes
        assertThat(GroupDescriptor.SIZE).isEqualTo(64);
        assertThat(JournalSuperblock.encode(1024, new byte[16])).hasSize(4096);
        assertThat(Inode.XATTR_OFFSET).isEqualTo(160);
        assertThat(ExtentTree.PER_BLOCK).isEqualTo(340);
        assertThat(DirectoryEncoder.ROOT_LIMIT).isEqualTo(507);
        assertThat(DirectoryEncoder.NODE_LIMIT).isEqualTo(510);
    }

    @Test
    void superblockFieldsSitAtTheKernelsOffsets() {
        Superblock sb = new Superblock();
        sb.blocksCount = 0x1_2345_6789L;
        sb.inodesPerGroup = 8192;
        ByteBuffer b = ByteBuffer.wrap(sb.encode()).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.getShort(0x38) & 0xffff).isEqualTo(0xEF53);
        assertThat(b.getInt(0x04)).isEqualTo(0x23456789);
        assertThat(b.getInt(0x150)).isEqualTo(1);
        assertThat(b.getInt(0x28)).isEqualTo(8192);
        assertThat(b.getShort(0xFE)).isEqualTo((short) 64);
        assertThat(b.getInt(0x3FC)).isEqualTo(Crc32c.update(~0, sb.encode(), 0, 0x3FC));
    }

    @Test
    void crc32cMatchesTheStandardCheckValue() {
        byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertThat(~Crc32c.update(~0, check)).isEqualTo(0xE3069283); // the CRC-32C catalogue check value
        java.util.zip.CRC32C jdk = new java.util.zip.CRC32C();
        jdk.update(new byte[] {1, 2, 3, 4, 5});
        assertThat(~Crc32c.update(~0, new byte[] {1, 2, 3, 4, 5}) & 0xffffffffL).isEqualTo(jdk.getValue());
        byte[] random = new byte[4099];
        new java.util.Random(5).nextBytes(random);
        for (int length : new int[] {0, 7, 8, 9, 256, 4099}) { // the eight-byte steps and the tail agree
            java.util.zip.CRC32C reference = new java.util.zip.CRC32C();
            reference.update(random, 0, length);
            assertThat(~Crc32c.update(~0, random, 0, length) & 0xffffffffL).isEqualTo(reference.getValue());
        }
        assertThat(Crc32c.updateInt(~0, 0x04030201)).isEqualTo(Crc32c.update(~0, new byte[] {1, 2, 3, 4}));
    }

    @Test
    void timestampsEncodeNanosecondsAndEpochBits() {
        assertThat(new Timestamp(5, 999_999_999).extra()).isEqualTo(999_999_999 << 2);
        Timestamp after2038 = Timestamp.ofSeconds(1L << 32); // 2106: needs the first epoch bit
        assertThat(after2038.lowSeconds()).isZero();
        assertThat(after2038.extra()).isEqualTo(1);
        assertThat(Timestamp.ofSeconds(-1).extra()).isZero();
    }

    @Test
    void nameHashesAgreeWithDebugfs() {
        Path image = dir.resolve("h.img");
        try {
            new TreeModel().write(image, Ext4Options.builder().seed(new byte[] {42}).build());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        String header = Tools.dumpe2fsHeader(image);
        Matcher m = Pattern.compile("Directory Hash Seed:\\s+(\\S+)").matcher(header);
        assertThat(m.find()).isTrue();
        String seedUuid = m.group(1);
        byte[] uuidBytes = java.util.HexFormat.of().parseHex(seedUuid.replace("-", ""));
        ByteBuffer seedWords = ByteBuffer.wrap(uuidBytes).order(ByteOrder.LITTLE_ENDIAN);
        DirHash hash = new DirHash(new int[] {seedWords.getInt(), seedWords.getInt(), seedWords.getInt(),
                seedWords.getInt()});
        for (String name : List.of("a", "hello", "lost+found", "a-name-longer-than-thirty-two-bytes-for-two-rounds",
                "x".repeat(255), "libc.so.6")) {
            String out = Tools.debugfs(image, "dx_hash -h half_md4 -s " + seedUuid + " " + name);
            Matcher hm = Pattern.compile("is 0x([0-9a-f]+)").matcher(out);
            assertThat(hm.find()).as(out).isTrue();
            int expected = (int) Long.parseLong(hm.group(1), 16) & ~1;
            assertThat(hash.hash(name.getBytes(StandardCharsets.UTF_8))).as(name).isEqualTo(expected);
        }
    }

    @Test
    void theFsckCheckCatchesACorruptedInode() throws Exception {
        Path image = dir.resolve("corrupt.img");
        Ext4WriterMountTest.everyKind().write(image, Ext4Options.builder().build());
        Tools.assertFsckClean(image);
        Matcher m = Pattern.compile("located at block (\\d+), offset 0x([0-9a-f]+)")
                .matcher(Tools.debugfs(image, "imap /etc/passwd"));
        assertThat(m.find()).isTrue();
        long position = Long.parseLong(m.group(1)) * 4096 + Long.parseLong(m.group(2), 16) + 0x1A; // i_links_count
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(image,
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {9}), position);
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Tools.assertFsckClean(image))
                .isInstanceOf(AssertionError.class).hasMessageContaining("e2fsck -fn");
    }

    @Test
    void xattrNamesAreEncodedWithTheirPrefixIndex() {
        Xattrs x = new Xattrs(Map.of("user.a", new byte[] {1}, "security.capability", new byte[20],
                "trusted.b", new byte[0]));
        byte[] area = x.encodeInInode();
        ByteBuffer b = ByteBuffer.wrap(area).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.getInt(0)).isEqualTo(Xattrs.MAGIC);
        // sorted by index: user (1) first, then trusted (4), then security (6)
        assertThat(area[4 + 1]).isEqualTo((byte) 1);
        assertThat(area[4]).isEqualTo((byte) 1); // name "a"
    }
}
