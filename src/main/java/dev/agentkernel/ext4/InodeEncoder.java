package dev.agentkernel.ext4;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Fills an on-disk {@link Inode} from an {@link InodeSpec} whose blocks the layout has placed. */
final class InodeEncoder {
    private final int fsCsumSeed;

    InodeEncoder(int fsCsumSeed) {
        this.fsCsumSeed = fsCsumSeed;
    }

    byte[] encode(InodeSpec spec) {
        Metadata m = spec.metadata;
        Inode inode = new Inode();
        inode.mode = spec.mode;
        inode.uid = m.uid();
        inode.gid = m.gid();
        inode.atime = m.atime();
        inode.mtime = m.mtime();
        inode.ctime = m.ctime();
        inode.crtime = m.ctime();
        inode.linksCount = spec.isDirectory() ? spec.directoryLinks() : spec.links;
        inode.size = size(spec);
        long blocks = spec.treeBlocks.length + (spec.xattrBlock != 0 ? 1 : 0);
        if (usesExtents(spec)) {
            inode.flags |= Features.INODE_EXTENTS_FL;
            blocks += spec.extents.totalBlocks();
            int seed = Checksums.inodeSeed(fsCsumSeed, spec.number);
            inode.iBlock = ExtentTree.encode(spec.extents, spec.treeBlocks, seed).iBlock();
        } else if (spec.type() == Features.S_IFLNK) {
            System.arraycopy(spec.symlinkTarget, 0, inode.iBlock, 0, spec.symlinkTarget.length);
        } else if (spec.type() == Features.S_IFCHR || spec.type() == Features.S_IFBLK) {
            encodeDevice(spec, inode.iBlock);
        }
        if (spec.indexed) {
            inode.flags |= Features.INODE_INDEX_FL;
        }
        inode.blocks512 = blocks * (Geometry.BLOCK_SIZE / 512);
        inode.fileAcl = spec.xattrBlock;
        if (!spec.xattrs.isEmpty() && spec.xattrBlock == 0) {
            inode.inlineXattrs = spec.xattrs.encodeInInode();
        }
        return inode.encode(spec.number, fsCsumSeed);
    }

    static boolean usesExtents(InodeSpec spec) {
        return switch (spec.type()) {
            case Features.S_IFREG, Features.S_IFDIR -> true;
            case Features.S_IFLNK -> !spec.isFastSymlink();
            default -> false;
        };
    }

    private static long size(InodeSpec spec) {
        return switch (spec.type()) {
            case Features.S_IFREG -> spec.content != null ? spec.content.length()
                    : spec.extents.totalBlocks() * Geometry.BLOCK_SIZE; // the journal
            case Features.S_IFDIR -> (long) spec.directoryBlocks * Geometry.BLOCK_SIZE;
            case Features.S_IFLNK -> spec.symlinkTarget.length;
            default -> 0;
        };
    }

    /** Old 16-bit encoding in i_block[0] when it fits, else the new 32-bit one in i_block[1] (as the kernel). */
    private static void encodeDevice(InodeSpec spec, byte[] iBlock) {
        ByteBuffer b = ByteBuffer.wrap(iBlock).order(ByteOrder.LITTLE_ENDIAN);
        if (spec.major < 256 && spec.minor < 256) {
            b.putInt(0, (spec.major << 8) | spec.minor);
        } else {
            b.putInt(4, (spec.minor & 0xff) | (spec.major << 8) | ((spec.minor & ~0xff) << 12));
        }
    }
}
