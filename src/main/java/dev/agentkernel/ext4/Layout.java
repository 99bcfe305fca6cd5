package dev.agentkernel.ext4;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Where everything goes: the group geometry and the blocks of every piece of metadata. Metadata is placed after
 * the data, which was streamed in before the tree (and so the size) was known.
 */
final class Layout {
    final long groups;
    long blocksCount; // set once the planner settles on a size
    long end; // the first block after all metadata
    final int inodesPerGroup;
    final int headBlocks;
    final long[] blockBitmaps;
    final long[] inodeBitmaps;
    final long[] inodeTables;
    final InodeSpec journal; // null without a journal
    final int journalBlocks;
    final List<long[]> metadataRuns = new ArrayList<>(); // (start, length) of every metadata allocation
    final java.util.Map<String, long[]> xattrBlocks = new java.util.HashMap<>(); // attribute set -> {block, users}
    final java.util.Map<Long, Integer> xattrRefcounts = new java.util.HashMap<>(); // block -> inodes using it

    Layout(long groups, int inodesPerGroup, int headBlocks, InodeSpec journal, int journalBlocks) {
        this.groups = groups;
        this.inodesPerGroup = inodesPerGroup;
        this.headBlocks = headBlocks;
        this.blockBitmaps = new long[(int) groups];
        this.inodeBitmaps = new long[(int) groups];
        this.inodeTables = new long[(int) groups];
        this.journal = journal;
        this.journalBlocks = journalBlocks;
    }

    int gdtBlocks() {
        return Geometry.gdtBlocks(groups);
    }

    int inodeTableBlocks() {
        return inodesPerGroup / Geometry.INODES_PER_BLOCK;
    }

    long inodesCount() {
        return (long) inodesPerGroup * groups;
    }

    /** Every block in use: superblock copies with their GDT, metadata, and the given data extents. */
    BitSet usedBlocks(List<ExtentList> data) {
        BitSet used = new BitSet();
        for (long g = 0; g < groups; g++) {
            if (Geometry.hasSuperblock(g)) {
                long start = Geometry.groupStart(g);
                used.set(Math.toIntExact(start), Math.toIntExact(start + 1 + gdtBlocks()));
            }
        }
        for (long[] run : metadataRuns) {
            used.set(Math.toIntExact(run[0]), Math.toIntExact(run[0] + run[1]));
        }
        for (ExtentList extents : data) {
            for (int i = 0; i < extents.size(); i++) {
                long p = extents.physical(i);
                used.set(Math.toIntExact(p), Math.toIntExact(p + extents.length(i)));
            }
        }
        return used;
    }
}
