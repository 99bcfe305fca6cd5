package dev.agentkernel.ext4;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One 256-byte inode (struct ext4_inode): the 128-byte base, 32 bytes of extra fields (nanosecond times,
 * crtime, the high checksum half) and the in-inode extended attribute area after them.
 * https://www.kernel.org/doc/html/latest/filesystems/ext4/inodes.html
 */
final class Inode {
    static final int SIZE = Geometry.INODE_SIZE;
    static final int EXTRA_ISIZE = 32;
    static final int XATTR_OFFSET = 128 + EXTRA_ISIZE;
    static final int I_BLOCK_OFFSET = 0x28;
    static final int I_BLOCK_SIZE = 60;

    int mode;
    int uid;
    int gid;
    long size;
    Timestamp atime;
    Timestamp ctime;
    Timestamp mtime;
    Timestamp crtime;
    int linksCount;
    long blocks512; // i_blocks in 512-byte sectors (huge_file without HUGE_FILE_FL)
    int flags;
    byte[] iBlock = new byte[I_BLOCK_SIZE];
    long fileAcl;
    byte[] inlineXattrs; // null, or the area after the extra fields (magic and entries)

    /** The encoded inode, checksummed for inode number {@code number} (i_generation is always 0). */
    byte[] encode(int number, int csumSeed) {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(0x00, (short) mode);
        b.putShort(0x02, (short) uid);
        b.putInt(0x04, (int) size);
        b.putInt(0x08, atime.lowSeconds());
        b.putInt(0x0C, ctime.lowSeconds());
        b.putInt(0x10, mtime.lowSeconds());
        b.putShort(0x18, (short) gid);
        b.putShort(0x1A, (short) linksCount);
        b.putInt(0x1C, (int) blocks512);
        b.putInt(0x20, flags);
        b.put(I_BLOCK_OFFSET, iBlock);
        b.putInt(0x68, (int) fileAcl);
        b.putInt(0x6C, (int) (size >>> 32));
        b.putShort(0x74, (short) (blocks512 >>> 32));
        b.putShort(0x76, (short) (fileAcl >>> 32));
        b.putShort(0x78, (short) (uid >>> 16));
        b.putShort(0x7A, (short) (gid >>> 16));
        b.putShort(0x80, (short) EXTRA_ISIZE);
        b.putInt(0x84, ctime.extra());
        b.putInt(0x88, mtime.extra());
        b.putInt(0x8C, atime.extra());
        b.putInt(0x90, crtime.lowSeconds());
        b.putInt(0x94, crtime.extra());
        if (inlineXattrs != null) {
            b.put(XATTR_OFFSET, inlineXattrs);
        }
        byte[] bytes = b.array();
        // i_checksum_lo/hi are still zero here, as the checksum requires
        int crc = Crc32c.update(Checksums.inodeSeed(csumSeed, number), bytes);
        b.putShort(0x7C, (short) crc);
        b.putShort(0x82, (short) (crc >>> 16));
        return bytes;
    }
}
