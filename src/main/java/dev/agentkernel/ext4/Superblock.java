package dev.agentkernel.ext4;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The ext4 superblock (struct ext4_super_block, 1024 bytes) with the fields this writer sets. Fields left at
 * zero are zero on purpose: no reserved blocks for root (an image, not a shared disk), no mount history, no
 * error records, no quota, no encryption, no resize inode (the image is sized to its content).
 * https://www.kernel.org/doc/html/latest/filesystems/ext4/super.html
 */
final class Superblock {
    static final int SIZE = 1024;
    static final int MAGIC = 0xEF53;

    long inodesCount;
    long blocksCount;
    long freeBlocksCount;
    long freeInodesCount;
    int inodesPerGroup;
    int timestamp; // s_mtime, s_wtime, s_lastcheck and s_mkfs_time: the caller's time, never the clock
    int featureCompat;
    int featureIncompat;
    int featureRoCompat;
    byte[] uuid = new byte[16];
    byte[] volumeName = new byte[16];
    int[] hashSeed = new int[4];
    int journalInum;
    int[] journalBlocks = new int[17]; // s_jnl_blocks: copy of the journal inode's i_block, i_size_high, i_size
    int blockGroupNr;

    byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x00, (int) inodesCount);
        b.putInt(0x04, (int) blocksCount);
        b.putInt(0x0C, (int) freeBlocksCount);
        b.putInt(0x10, (int) freeInodesCount);
        b.putInt(0x14, 0); // s_first_data_block: 0 for 4 KiB blocks
        b.putInt(0x18, Geometry.LOG_BLOCK_SIZE);
        b.putInt(0x1C, Geometry.LOG_BLOCK_SIZE); // s_log_cluster_size: no bigalloc
        b.putInt(0x20, Geometry.BLOCKS_PER_GROUP);
        b.putInt(0x24, Geometry.BLOCKS_PER_GROUP);
        b.putInt(0x28, inodesPerGroup);
        b.putInt(0x2C, 0); // s_mtime: never mounted
        b.putInt(0x30, timestamp); // s_wtime
        b.putShort(0x34, (short) 0); // s_mnt_count
        b.putShort(0x36, (short) -1); // s_max_mnt_count: no forced checks
        b.putShort(0x38, (short) MAGIC);
        b.putShort(0x3A, (short) 1); // s_state: cleanly unmounted
        b.putShort(0x3C, (short) 1); // s_errors: continue
        b.putInt(0x40, timestamp); // s_lastcheck
        b.putInt(0x48, 0); // s_creator_os: Linux
        b.putInt(0x4C, 1); // s_rev_level: dynamic
        b.putInt(0x54, Geometry.FIRST_INODE);
        b.putShort(0x58, (short) Geometry.INODE_SIZE);
        b.putShort(0x5A, (short) blockGroupNr);
        b.putInt(0x5C, featureCompat);
        b.putInt(0x60, featureIncompat);
        b.putInt(0x64, featureRoCompat);
        b.put(0x68, uuid);
        b.put(0x78, volumeName);
        b.putInt(0xE0, journalInum);
        for (int i = 0; i < 4; i++) {
            b.putInt(0xEC + 4 * i, hashSeed[i]);
        }
        b.put(0xFC, (byte) Features.DX_HASH_HALF_MD4);
        b.put(0xFD, (byte) (journalInum != 0 ? 1 : 0)); // s_jnl_backup_type: EXT3_JNL_BACKUP_BLOCKS
        b.putShort(0xFE, (short) Geometry.DESC_SIZE);
        b.putInt(0x100, Features.DEFM_XATTR_USER | Features.DEFM_ACL);
        b.putInt(0x108, timestamp); // s_mkfs_time
        for (int i = 0; i < 17; i++) {
            b.putInt(0x10C + 4 * i, journalBlocks[i]);
        }
        b.putInt(0x150, (int) (blocksCount >>> 32));
        b.putInt(0x158, (int) (freeBlocksCount >>> 32));
        b.putShort(0x15C, (short) Inode.EXTRA_ISIZE); // s_min_extra_isize
        b.putShort(0x15E, (short) Inode.EXTRA_ISIZE); // s_want_extra_isize
        b.putInt(0x160, Features.FLAGS_UNSIGNED_HASH);
        b.put(0x174, (byte) Geometry.LOG_GROUPS_PER_FLEX);
        b.put(0x175, (byte) Features.CHECKSUM_TYPE_CRC32C);
        byte[] bytes = b.array();
        b.putInt(0x3FC, Crc32c.update(~0, bytes, 0, 0x3FC));
        return bytes;
    }
}
