package dev.agentkernel.ext4;

import java.util.List;

/**
 * Decides the filesystem size and places all metadata after the streamed data. The number of groups decides
 * the number of bitmaps and inode tables, which move the end, which may add groups: the planner repeats until
 * group count and journal size stop changing (both only grow, so it settles quickly).
 */
final class LayoutPlanner {
    private static final int MIN_LAST_GROUP = 64; // keep a last group able to hold its superblock copy

    private final BlockAllocator afterData;
    private final List<InodeSpec> inodes;
    private final InodeSpec journal;
    private final Ext4Options options;
    private final int lastInode;
    private long inodesNeeded;

    LayoutPlanner(BlockAllocator afterData, List<InodeSpec> inodes, InodeSpec journal, Ext4Options options,
                  int lastInode) {
        this.afterData = afterData;
        this.inodes = inodes;
        this.journal = journal;
        this.options = options;
        this.lastInode = lastInode;
    }

    private static final int BYTES_PER_INODE = 16384; // mke2fs's default inode ratio, for fixed sizes

    /** The usable block count of a fixed size: a last group too small for its superblock copy is dropped. */
    static long fixedBlocks(long fixedSizeBytes) {
        long blocks = fixedSizeBytes / Geometry.BLOCK_SIZE;
        long last = Geometry.groupCount(blocks) - 1;
        long remainder = blocks - Geometry.groupStart(last);
        if (last > 0 && Geometry.hasSuperblock(last) && remainder < 1 + Geometry.gdtBlocks(last + 1) + MIN_LAST_GROUP) {
            return Geometry.groupStart(last);
        }
        return blocks;
    }

    Layout plan() {
        if (!options.fixedSize()) {
            inodesNeeded = lastInode + options.freeInodes();
            return planToContent(freeBlocks());
        }
        Layout layout = planFixed(options.fixedSizeBytes(), true);
        if (layout == null) {
            throw new Ext4Exception("the fixed size of " + options.fixedSizeBytes() + " bytes is too small: "
                    + "the content needs at least " + smallestFixedSize() + " bytes");
        }
        return layout;
    }

    /**
     * The layout in exactly this size, or null when the content does not fit. {@code checkHead}: whether the
     * room kept for descriptors while streaming must suffice (false when only estimating another size).
     */
    private Layout planFixed(long sizeBytes, boolean checkHead) {
        inodesNeeded = Math.max(lastInode + options.freeInodes(), sizeBytes / BYTES_PER_INODE);
        long blocks = fixedBlocks(sizeBytes);
        long groups = Geometry.groupCount(blocks);
        if (groups < minimumGroups() || checkHead && Geometry.gdtBlocks(groups) + 1 > afterData.headBlocks()) {
            return null;
        }
        Layout layout = place(groups, options.journal() ? Geometry.journalBlocks(blocks) : 0);
        if (layout.end > blocks) {
            return null;
        }
        layout.blocksCount = blocks;
        return layout;
    }

    /** For the error message: the smallest fixed size (in whole blocks) that holds the content. */
    private long smallestFixedSize() {
        inodesNeeded = lastInode + options.freeInodes();
        long size = planToContent(0).blocksCount * Geometry.BLOCK_SIZE;
        while (planFixed(size, false) == null) {
            size += Geometry.BLOCK_SIZE;
        }
        return size;
    }

    private Layout planToContent(long freeBlocks) {
        long groups = Math.max(minimumGroups(), Geometry.groupCount(afterData.next() + 1));
        int journalBlocks = options.journal() ? Geometry.journalBlocks(afterData.next()) : 0;
        while (true) {
            Layout layout = place(groups, journalBlocks);
            long total = Math.max(layout.end + freeBlocks,
                    Geometry.groupStart(groups - 1) + layout.headBlocks + MIN_LAST_GROUP);
            long newGroups = Geometry.groupCount(total);
            int newJournal = options.journal() ? Geometry.journalBlocks(total) : 0;
            if (newGroups <= groups && newJournal <= journalBlocks) {
                if (Geometry.gdtBlocks(groups) + 1 > afterData.headBlocks()) {
                    throw new Ext4Exception("an image of " + total * Geometry.BLOCK_SIZE
                            + " bytes needs a fixed size (the writer reserves descriptor room for 128 GiB)");
                }
                layout.blocksCount = total;
                return layout;
            }
            groups = Math.max(groups, newGroups);
            journalBlocks = Math.max(journalBlocks, newJournal);
        }
    }

    private long freeBlocks() {
        return (options.freeBytes() + Geometry.BLOCK_SIZE - 1) / Geometry.BLOCK_SIZE;
    }

    private long minimumGroups() {
        return (inodesNeeded + Geometry.MAX_INODES_PER_GROUP - 1) / Geometry.MAX_INODES_PER_GROUP;
    }

    private int inodesPerGroup(long groups) {
        long perGroup = (inodesNeeded + groups - 1) / groups;
        long rounded = (perGroup + Geometry.INODES_PER_BLOCK - 1) / Geometry.INODES_PER_BLOCK
                * Geometry.INODES_PER_BLOCK;
        return (int) Math.max(Geometry.INODES_PER_BLOCK, rounded);
    }

    /** Places bitmaps, inode tables, directories, symlink and attribute blocks, extent trees and the journal. */
    private Layout place(long groups, int journalBlocks) {
        BlockAllocator a = afterData.copy();
        Layout layout = new Layout(groups, inodesPerGroup(groups), a.headBlocks(), journal, journalBlocks);
        for (int g = 0; g < groups; g++) {
            layout.blockBitmaps[g] = take(a, layout, 1);
        }
        for (int g = 0; g < groups; g++) {
            layout.inodeBitmaps[g] = take(a, layout, 1);
        }
        for (int g = 0; g < groups; g++) {
            layout.inodeTables[g] = take(a, layout, layout.inodeTableBlocks());
        }
        for (InodeSpec inode : inodes) {
            placeInode(a, layout, inode);
        }
        if (journal != null) {
            placeJournal(a, layout, journalBlocks);
        }
        layout.end = a.next();
        return layout;
    }

    private void placeInode(BlockAllocator a, Layout layout, InodeSpec inode) {
        if (inode.isDirectory()) {
            inode.extents = new ExtentList();
            inode.extents.add(0, take(a, layout, inode.directoryBlocks), inode.directoryBlocks);
        } else if (inode.type() == Features.S_IFLNK && !inode.isFastSymlink()) {
            inode.extents = new ExtentList();
            inode.extents.add(0, take(a, layout, 1), 1);
        } else if (inode.content != null) {
            inode.extents = inode.content.extents();
        }
        inode.xattrBlock = inode.xattrs.fitsInInode() ? 0 : sharedXattrBlock(a, layout, inode.xattrs);
        inode.treeBlocks = new long[ExtentTree.treeBlocks(inode.extents.size())];
        for (int i = 0; i < inode.treeBlocks.length; i++) {
            inode.treeBlocks[i] = take(a, layout, 1);
        }
    }

    /**
     * Inodes with the same attribute set share one block (h_refcount counts them), as the kernel's mbcache
     * shares them, up to the kernel's EXT4_XATTR_REFCOUNT_MAX users per block.
     */
    private long sharedXattrBlock(BlockAllocator a, Layout layout, Xattrs xattrs) {
        String key = xattrs.identity();
        long[] shared = layout.xattrBlocks.get(key); // {block, users}
        if (shared == null || shared[1] >= XATTR_REFCOUNT_MAX) {
            shared = new long[] {take(a, layout, 1), 0};
            layout.xattrBlocks.put(key, shared);
        }
        shared[1]++;
        layout.xattrRefcounts.merge(shared[0], 1, Integer::sum);
        return shared[0];
    }

    private static final int XATTR_REFCOUNT_MAX = 1024;

    private void placeJournal(BlockAllocator a, Layout layout, int blocks) {
        ExtentList extents = new ExtentList();
        long logical = 0;
        while (logical < blocks) {
            long start = a.allocate(blocks - logical);
            long count = a.next() - start;
            layout.metadataRuns.add(new long[] {start, count});
            extents.add(logical, start, count);
            logical += count;
        }
        journal.extents = extents;
        journal.treeBlocks = new long[ExtentTree.treeBlocks(extents.size())];
        for (int i = 0; i < journal.treeBlocks.length; i++) {
            journal.treeBlocks[i] = take(a, layout, 1);
        }
    }

    private static long take(BlockAllocator a, Layout layout, int count) {
        long start = a.allocateContiguous(count);
        layout.metadataRuns.add(new long[] {start, count});
        return start;
    }
}
