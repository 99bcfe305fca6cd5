package dev.agentkernel.ext4;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One 64-byte block group descriptor (struct ext4_group_desc with 64bit).
 * https://www.kernel.org/doc/html/latest/filesystems/ext4/group_descr.html
 */
final class GroupDescriptor {
    static final int SIZE = 64;

    long blockBitmap;
    long inodeBitmap;
    long inodeTable;
    int freeBlocksCount;
    int freeInodesCount;
    int usedDirsCount;
    int flags;
    int blockBitmapCsum;
    int inodeBitmapCsum;
    int itableUnused;

    /** Encodes into {@code out} at {@code offset}, checksummed for group {@code group}. */
    void encode(byte[] out, int offset, int group, int csumSeed) {
        ByteBuffer b = ByteBuffer.wrap(out, offset, SIZE).slice().order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x00, (int) blockBitmap);
        b.putInt(0x04, (int) inodeBitmap);
        b.putInt(0x08, (int) inodeTable);
        b.putShort(0x0C, (short) freeBlocksCount);
        b.putShort(0x0E, (short) freeInodesCount);
        b.putShort(0x10, (short) usedDirsCount);
        b.putShort(0x12, (short) flags);
        b.putShort(0x18, (short) blockBitmapCsum);
        b.putShort(0x1A, (short) inodeBitmapCsum);
        b.putShort(0x1C, (short) itableUnused);
        b.putShort(0x1E, (short) 0); // bg_checksum, computed below over the descriptor with this field zero
        b.putInt(0x20, (int) (blockBitmap >>> 32));
        b.putInt(0x24, (int) (inodeBitmap >>> 32));
        b.putInt(0x28, (int) (inodeTable >>> 32));
        b.putShort(0x2C, (short) (freeBlocksCount >>> 16));
        b.putShort(0x2E, (short) (freeInodesCount >>> 16));
        b.putShort(0x30, (short) (usedDirsCount >>> 16));
        b.putShort(0x32, (short) (itableUnused >>> 16));
        b.putShort(0x38, (short) (blockBitmapCsum >>> 16));
        b.putShort(0x3A, (short) (inodeBitmapCsum >>> 16));
        int crc = Crc32c.updateInt(csumSeed, group);
        crc = Crc32c.update(crc, out, offset, SIZE);
        b.putShort(0x1E, (short) crc);
    }
}
