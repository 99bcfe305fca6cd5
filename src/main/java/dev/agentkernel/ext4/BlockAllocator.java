package dev.agentkernel.ext4;

/**
 * Hands out blocks from a cursor that only moves forward, stepping over the head of every group that holds a
 * superblock copy (the superblock plus room for the group descriptor table). Data streams in first and metadata
 * follows at finish; both come from here, so nothing ever lands on a backup superblock. Not thread-safe.
 */
final class BlockAllocator {
    private final int headBlocks;
    private long next;

    /** @param headBlocks blocks kept free at the start of each superblock group (1 + GDT room) */
    BlockAllocator(int headBlocks) {
        this.headBlocks = headBlocks;
        this.next = headBlocks;
    }

    private BlockAllocator(int headBlocks, long next) {
        this.headBlocks = headBlocks;
        this.next = next;
    }

    BlockAllocator copy() {
        return new BlockAllocator(headBlocks, next);
    }

    int headBlocks() {
        return headBlocks;
    }

    /** The first block never handed out. */
    long next() {
        return next;
    }

    /** Up to {@code max} contiguous blocks; returns the first, and {@link #runLength(long, long)} tells how many. */
    long allocate(long max) {
        skipHead();
        long start = next;
        next += runLength(start, max);
        return start;
    }

    /** How many blocks {@link #allocate} gives from {@code start}: up to the next superblock group's head. */
    long runLength(long start, long max) {
        return Math.min(max, nextHeadStart(start) - start);
    }

    /** {@code count} contiguous blocks, moving past a superblock group's head when the run would cross it. */
    long allocateContiguous(long count) {
        skipHead();
        if (next + count > nextHeadStart(next)) {
            next = nextHeadStart(next);
            skipHead();
            if (next + count > nextHeadStart(next)) {
                throw new Ext4Exception("cannot place " + count + " contiguous blocks (a directory this large "
                        + "is not supported)");
            }
        }
        long start = next;
        next += count;
        return start;
    }

    private void skipHead() {
        long group = next / Geometry.BLOCKS_PER_GROUP;
        long headEnd = Geometry.groupStart(group) + headBlocks;
        if (Geometry.hasSuperblock(group) && next < headEnd) {
            next = headEnd;
        }
    }

    private static long nextHeadStart(long block) {
        long group = block / Geometry.BLOCKS_PER_GROUP + 1;
        while (!Geometry.hasSuperblock(group)) {
            group++;
        }
        return Geometry.groupStart(group);
    }
}
