package dev.agentkernel.ext4;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Writes the metadata of a planned layout, one phase per method: directories, symlink and attribute blocks,
 * extent trees, journal, inode tables, bitmaps with group descriptors, superblocks.
 */
final class ImageAssembler {
    private final ImageFile image;
    private final Layout layout;
    private final TreeBuilder.Tree tree;
    private final List<InodeSpec> inodes; // tree inodes plus the journal, by number order
    private final DirectoryEncoder directories;
    private final InodeEncoder inodeEncoder;
    private final Superblock superblock;
    private final int fsCsumSeed;

    ImageAssembler(ImageFile image, Layout layout, TreeBuilder.Tree tree, DirectoryEncoder directories,
                   Superblock superblock, int fsCsumSeed) {
        this.image = image;
        this.layout = layout;
        this.tree = tree;
        this.directories = directories;
        this.superblock = superblock;
        this.fsCsumSeed = fsCsumSeed;
        this.inodeEncoder = new InodeEncoder(fsCsumSeed);
        this.inodes = new ArrayList<>(tree.inodes());
        if (layout.journal != null) {
            inodes.add(layout.journal);
        }
        inodes.sort((a, b) -> Integer.compare(a.number, b.number));
    }

    /**
     * Inode tables and bitmaps depend only on the layout, not on the blocks the other phases write, so a second
     * thread encodes the bitmaps while this one writes directories and the rest (the data has streamed by now,
     * so the second core is otherwise idle); then both take the inode tables group by group until none is left,
     * so they finish together whichever had more to do before.
     */
    void writeAll() throws IOException {
        AtomicInteger nextTableGroup = new AtomicInteger();
        FutureTask<GroupDescriptor[]> bitmapsAndTables = new FutureTask<>(() -> {
            GroupDescriptor[] descriptors = writeBitmaps();
            writeInodeTables(nextTableGroup);
            return descriptors;
        });
        Thread helper = new Thread(bitmapsAndTables, "ext4 inode tables");
        helper.setDaemon(true);
        helper.start();
        try {
            writeDirectories();
            writeSymlinkBlocks();
            writeXattrBlocks();
            writeExtentTrees();
            writeJournal();
            writeInodeTables(nextTableGroup);
        } finally {
            Threads.joinUninterruptibly(helper); // never leave it writing into a file that is about to be deleted
        }
        writeSuperblocksAndDescriptors(resultOf(bitmapsAndTables));
    }

    /** Writes the inode tables of the groups {@code next} hands out, one at a time, until none is left. */
    private void writeInodeTables(AtomicInteger next) throws IOException {
        for (int g = next.getAndIncrement(); g < layout.groups; g = next.getAndIncrement()) {
            writeInodeTable(g);
        }
    }

    private static GroupDescriptor[] resultOf(FutureTask<GroupDescriptor[]> task) throws IOException {
        try {
            return task.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while writing inode tables");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        }
    }

    private void writeDirectories() throws IOException {
        for (InodeSpec dir : tree.inodes()) {
            if (dir.isDirectory()) {
                List<byte[]> blocks = directories.encode(dir);
                long start = dir.extents.physical(0);
                for (int i = 0; i < blocks.size(); i++) {
                    image.write(start + i, blocks.get(i));
                }
            }
        }
    }

    private void writeSymlinkBlocks() throws IOException {
        for (InodeSpec inode : tree.inodes()) {
            if (inode.type() == Features.S_IFLNK && !inode.isFastSymlink()) {
                image.write(inode.extents.physical(0), Arrays.copyOf(inode.symlinkTarget, Geometry.BLOCK_SIZE));
            }
        }
    }

    /** Each attribute block once, however many inodes share it. */
    private void writeXattrBlocks() throws IOException {
        java.util.Set<Long> written = new java.util.HashSet<>();
        for (InodeSpec inode : tree.inodes()) {
            if (inode.xattrBlock != 0 && written.add(inode.xattrBlock)) {
                int refcount = layout.xattrRefcounts.get(inode.xattrBlock);
                image.write(inode.xattrBlock, inode.xattrs.encodeBlock(inode.xattrBlock, refcount, fsCsumSeed));
            }
        }
    }

    private void writeExtentTrees() throws IOException {
        for (InodeSpec inode : inodes) {
            if (inode.treeBlocks.length > 0) {
                int seed = Checksums.inodeSeed(fsCsumSeed, inode.number);
                for (ExtentTree.Block block : ExtentTree.encode(inode.extents, inode.treeBlocks, seed).blocks()) {
                    image.write(block.number(), block.bytes());
                }
            }
        }
    }

    private void writeJournal() throws IOException {
        InodeSpec journal = layout.journal;
        if (journal == null) {
            return;
        }
        image.write(journal.extents.physical(0), JournalSuperblock.encode(layout.journalBlocks, superblock.uuid));
        // s_jnl_blocks is a copy of the journal inode's i_block: its extent tree root.
        int seed = Checksums.inodeSeed(fsCsumSeed, journal.number);
        ByteBuffer iBlock = ByteBuffer.wrap(ExtentTree.encode(journal.extents, journal.treeBlocks, seed).iBlock())
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 15; i++) {
            superblock.journalBlocks[i] = iBlock.getInt();
        }
        long size = (long) layout.journalBlocks * Geometry.BLOCK_SIZE;
        superblock.journalBlocks[15] = (int) (size >>> 32);
        superblock.journalBlocks[16] = (int) size;
        superblock.journalInum = Geometry.JOURNAL_INODE;
    }

    /** Group {@code g}'s table up to its last used inode; unused inodes stay zero (a hole in the image). */
    private void writeInodeTable(int g) throws IOException {
        int perGroup = layout.inodesPerGroup;
        int lastNumber = lastInode();
        int first = g * perGroup + 1;
        if (first > lastNumber) {
            return; // no inode in use here: the whole table stays a hole
        }
        int used = Math.min(perGroup, lastNumber - first + 1);
        byte[] table = new byte[used * Inode.SIZE];
        int index = firstIndexAtOrAfter(first);
        while (index < inodes.size() && inodes.get(index).number < first + used) {
            InodeSpec spec = inodes.get(index++);
            System.arraycopy(inodeEncoder.encode(spec), 0, table, (spec.number - first) * Inode.SIZE, Inode.SIZE);
        }
        image.write(layout.inodeTables[g], table);
    }

    /** Index in {@link #inodes} (sorted by number) of the first inode numbered {@code number} or higher. */
    private int firstIndexAtOrAfter(int number) {
        int low = 0;
        int high = inodes.size();
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (inodes.get(mid).number < number) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }

    private int lastInode() {
        return Math.max(inodes.get(inodes.size() - 1).number, Geometry.FIRST_INODE - 1);
    }

    private GroupDescriptor[] writeBitmaps() throws IOException {
        List<ExtentList> data = new ArrayList<>();
        for (InodeSpec inode : inodes) {
            data.add(inode.extents);
        }
        BitSet used = layout.usedBlocks(data);
        int lastNumber = lastInode();
        int perGroup = layout.inodesPerGroup;
        GroupDescriptor[] descriptors = new GroupDescriptor[(int) layout.groups];
        int[] dirsPerGroup = new int[(int) layout.groups];
        for (InodeSpec inode : inodes) {
            if (inode.isDirectory()) {
                dirsPerGroup[(inode.number - 1) / perGroup]++;
            }
        }
        long freeBlocks = 0;
        for (int g = 0; g < layout.groups; g++) {
            GroupDescriptor d = new GroupDescriptor();
            byte[] blockBitmap = blockBitmap(used, g);
            int usedInodes = (int) Math.max(0, Math.min(perGroup, lastNumber - (long) g * perGroup));
            byte[] inodeBitmap = inodeBitmap(usedInodes);
            d.blockBitmap = layout.blockBitmaps[g];
            d.inodeBitmap = layout.inodeBitmaps[g];
            d.inodeTable = layout.inodeTables[g];
            long groupBlocks = Math.min(Geometry.BLOCKS_PER_GROUP, layout.blocksCount - Geometry.groupStart(g));
            d.freeBlocksCount = (int) (groupBlocks - countUsed(blockBitmap, groupBlocks));
            d.freeInodesCount = perGroup - usedInodes;
            d.usedDirsCount = dirsPerGroup[g];
            d.itableUnused = perGroup - usedInodes;
            d.flags = Features.BG_INODE_ZEROED; // unwritten table blocks read back as zeros
            d.blockBitmapCsum = Crc32c.update(fsCsumSeed, blockBitmap);
            d.inodeBitmapCsum = Crc32c.update(fsCsumSeed, inodeBitmap, 0, perGroup / 8);
            writeUnlessZero(d.blockBitmap, blockBitmap); // an empty group's bitmap stays a hole
            writeUnlessZero(d.inodeBitmap, inodeBitmap);
            freeBlocks += d.freeBlocksCount;
            descriptors[g] = d;
        }
        superblock.freeBlocksCount = freeBlocks;
        superblock.freeInodesCount = layout.inodesCount() - lastNumber;
        return descriptors;
    }

    private void writeUnlessZero(long block, byte[] bytes) throws IOException {
        if (Arrays.mismatch(bytes, new byte[bytes.length]) >= 0) {
            image.write(block, bytes);
        }
    }

    private byte[] blockBitmap(BitSet used, int group) {
        long start = Geometry.groupStart(group);
        BitSet bits = used.get(Math.toIntExact(start), Math.toIntExact(start + Geometry.BLOCKS_PER_GROUP));
        long groupBlocks = Math.min(Geometry.BLOCKS_PER_GROUP, layout.blocksCount - start);
        bits.set((int) groupBlocks, Geometry.BLOCKS_PER_GROUP); // padding past the end of the filesystem
        return Arrays.copyOf(bits.toByteArray(), Geometry.BLOCK_SIZE);
    }

    private byte[] inodeBitmap(int usedInodes) {
        BitSet bits = new BitSet();
        bits.set(0, usedInodes);
        bits.set(layout.inodesPerGroup, Geometry.MAX_INODES_PER_GROUP); // padding past inodes_per_group
        return Arrays.copyOf(bits.toByteArray(), Geometry.BLOCK_SIZE);
    }

    private static long countUsed(byte[] bitmap, long groupBlocks) {
        return BitSet.valueOf(bitmap).get(0, (int) groupBlocks).cardinality();
    }

    /** The primary superblock at byte 1024 and a copy with the descriptor table in each sparse_super group. */
    private void writeSuperblocksAndDescriptors(GroupDescriptor[] descriptors) throws IOException {
        byte[] table = new byte[layout.gdtBlocks() * Geometry.BLOCK_SIZE];
        for (int g = 0; g < descriptors.length; g++) {
            descriptors[g].encode(table, g * GroupDescriptor.SIZE, g, fsCsumSeed);
        }
        for (long g = 0; g < layout.groups; g++) {
            if (!Geometry.hasSuperblock(g)) {
                continue;
            }
            long start = Geometry.groupStart(g);
            superblock.blockGroupNr = (int) g;
            byte[] encoded = superblock.encode();
            image.write(start * Geometry.BLOCK_SIZE + (g == 0 ? 1024 : 0), ByteBuffer.wrap(encoded));
            image.write(start + 1, table);
        }
    }
}
