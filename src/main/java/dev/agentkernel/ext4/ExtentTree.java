package dev.agentkernel.ext4;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes a file's extents as an extent tree: up to four in the inode (depth 0), otherwise leaf blocks of 340
 * extents under index levels until the root fits in the inode again.
 * https://www.kernel.org/doc/html/latest/filesystems/ext4/ifork.html
 */
final class ExtentTree {
    static final int MAGIC = 0xF30A;
    static final int HEADER_SIZE = 12;
    static final int ENTRY_SIZE = 12;
    static final int IN_INODE = (Inode.I_BLOCK_SIZE - HEADER_SIZE) / ENTRY_SIZE;
    static final int PER_BLOCK = (Geometry.BLOCK_SIZE - HEADER_SIZE - 4) / ENTRY_SIZE;

    /** A tree block to write. */
    record Block(long number, byte[] bytes) {
    }

    /** The i_block area and the tree blocks under it. */
    record Encoded(byte[] iBlock, List<Block> blocks) {
    }

    private ExtentTree() {
    }

    /** How many blocks a tree over {@code extents} extents needs outside the inode. */
    static int treeBlocks(int extents) {
        int total = 0;
        int level = extents;
        while (level > IN_INODE) {
            level = (level + PER_BLOCK - 1) / PER_BLOCK;
            total += level;
        }
        return total;
    }

    /** Encodes the tree, putting its blocks at {@code blockNumbers} (exactly {@link #treeBlocks} of them). */
    static Encoded encode(ExtentList extents, long[] blockNumbers, int inodeSeed) {
        int n = extents.size();
        long[] firstLogical = new long[n];
        byte[][] entries = new byte[n][];
        for (int i = 0; i < n; i++) {
            firstLogical[i] = extents.logical(i);
            entries[i] = leafEntry(extents.logical(i), extents.physical(i), extents.length(i));
        }
        List<Block> blocks = new ArrayList<>();
        int depth = 0;
        int next = 0;
        while (entries.length > IN_INODE) {
            int count = (entries.length + PER_BLOCK - 1) / PER_BLOCK;
            long[] upperLogical = new long[count];
            byte[][] upper = new byte[count][];
            for (int b = 0; b < count; b++) {
                int from = b * PER_BLOCK;
                int to = Math.min(entries.length, from + PER_BLOCK);
                long number = blockNumbers[next++];
                blocks.add(new Block(number, node(entries, from, to, PER_BLOCK, depth, Geometry.BLOCK_SIZE, inodeSeed)));
                upperLogical[b] = firstLogical[from];
                upper[b] = indexEntry(firstLogical[from], number);
            }
            entries = upper;
            firstLogical = upperLogical;
            depth++;
        }
        byte[] root = node(entries, 0, entries.length, IN_INODE, depth, Inode.I_BLOCK_SIZE, 0);
        return new Encoded(root, blocks);
    }

    private static byte[] node(byte[][] entries, int from, int to, int max, int depth, int size, int inodeSeed) {
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) MAGIC);
        b.putShort((short) (to - from));
        b.putShort((short) max);
        b.putShort((short) depth);
        b.putInt(0); // eh_generation
        for (int i = from; i < to; i++) {
            b.put(entries[i]);
        }
        byte[] bytes = b.array();
        if (size == Geometry.BLOCK_SIZE) { // struct ext4_extent_tail right after eh_max entries
            int tail = HEADER_SIZE + max * ENTRY_SIZE;
            b.putInt(tail, Crc32c.update(inodeSeed, bytes, 0, tail));
        }
        return bytes;
    }

    private static byte[] leafEntry(long logical, long physical, int length) {
        ByteBuffer b = ByteBuffer.allocate(ENTRY_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt((int) logical);
        b.putShort((short) length);
        b.putShort((short) (physical >>> 32));
        b.putInt((int) physical);
        return b.array();
    }

    private static byte[] indexEntry(long logical, long block) {
        ByteBuffer b = ByteBuffer.allocate(ENTRY_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt((int) logical);
        b.putInt((int) block);
        b.putShort((short) (block >>> 32));
        b.putShort((short) 0);
        return b.array();
    }
}
