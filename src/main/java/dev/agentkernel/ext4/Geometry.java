package dev.agentkernel.ext4;

/**
 * Fixed sizes of the filesystems this writer makes and the arithmetic of block groups.
 * See https://www.kernel.org/doc/html/latest/filesystems/ext4/globals.html ("Layout").
 */
final class Geometry {
    static final int BLOCK_SIZE = 4096;
    static final int LOG_BLOCK_SIZE = 2; // block size = 1024 << 2
    static final int BLOCKS_PER_GROUP = BLOCK_SIZE * 8;
    static final int INODE_SIZE = 256;
    static final int INODES_PER_BLOCK = BLOCK_SIZE / INODE_SIZE;
    static final int MAX_INODES_PER_GROUP = BLOCK_SIZE * 8;
    static final int DESC_SIZE = 64;
    static final int DESCS_PER_BLOCK = BLOCK_SIZE / DESC_SIZE;
    static final int LOG_GROUPS_PER_FLEX = 4;
    static final int FIRST_INODE = 11;
    static final int ROOT_INODE = 2;
    static final int JOURNAL_INODE = 8;
    static final int LOST_AND_FOUND_BLOCKS = 4;

    private Geometry() {
    }

    static long groupCount(long blocks) {
        return (blocks + BLOCKS_PER_GROUP - 1) / BLOCKS_PER_GROUP;
    }

    static int gdtBlocks(long groups) {
        return (int) ((groups + DESCS_PER_BLOCK - 1) / DESCS_PER_BLOCK);
    }

    static long groupStart(long group) {
        return group * BLOCKS_PER_GROUP;
    }

    /** sparse_super: groups 0, 1 and the powers of 3, 5 and 7 carry a copy of the superblock and GDT. */
    static boolean hasSuperblock(long group) {
        return group <= 1 || isPowerOf(group, 3) || isPowerOf(group, 5) || isPowerOf(group, 7);
    }

    private static boolean isPowerOf(long n, int base) {
        long p = base;
        while (p < n) {
            p *= base;
        }
        return p == n;
    }

    /** mke2fs's journal size for a filesystem of this many blocks (ext2fs_default_journal_size). */
    static int journalBlocks(long blocks) {
        if (blocks < 32768) { // mke2fs makes none below 2048 blocks; a journal asked for gets the smallest size
            return 1024;
        } else if (blocks < 256 * 1024) {
            return 4096;
        } else if (blocks < 512 * 1024) {
            return 8192;
        } else if (blocks < 4096 * 1024) {
            return 16384;
        } else if (blocks < 8192 * 1024) {
            return 32768;
        } else if (blocks < 16384 * 1024) {
            return 65536;
        } else if (blocks < 32768 * 1024) {
            return 131072;
        }
        return 262144;
    }
}
