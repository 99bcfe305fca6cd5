package dev.agentkernel.ext4;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** The work of {@link Ext4Writer#finish()} once the tree is built: plan the layout, fill the superblock, write. */
final class ImageFinisher {
    private final ImageFile image;
    private final Ext4Options options;
    private final BlockAllocator allocator;
    private final ContentWriter contentWriter;

    ImageFinisher(ImageFile image, Ext4Options options, BlockAllocator allocator, ContentWriter contentWriter) {
        this.image = image;
        this.options = options;
        this.allocator = allocator;
        this.contentWriter = contentWriter;
    }

    Ext4Result finish(TreeBuilder.Tree tree, List<FileContent> contents, Path target) throws IOException {
        contentWriter.flush();
        claimContents(tree, contents);
        Superblock sb = newSuperblock();
        int fsCsumSeed = Checksums.filesystemSeed(sb.uuid);
        DirectoryEncoder directories = new DirectoryEncoder(new DirHash(sb.hashSeed), fsCsumSeed);
        prepareInodes(tree, directories);
        InodeSpec journal = options.journal() ? journalInode() : null;
        int lastInode = tree.inodes().stream().mapToInt(i -> i.number).max().orElse(0);
        lastInode = Math.max(lastInode, Geometry.FIRST_INODE - 1);
        Layout layout;
        synchronized (allocator) {
            layout = new LayoutPlanner(allocator.copy(), tree.inodes(), journal, options, lastInode).plan();
        }
        sb.blocksCount = layout.blocksCount;
        sb.inodesCount = layout.inodesCount();
        sb.inodesPerGroup = layout.inodesPerGroup;
        new ImageAssembler(image, layout, tree, directories, sb, fsCsumSeed).writeAll();
        long size = options.fixedSize() ? options.fixedSizeBytes() : layout.blocksCount * Geometry.BLOCK_SIZE;
        image.complete(size);
        return new Ext4Result(target, size, layout.blocksCount, sb.freeBlocksCount, sb.inodesCount,
                sb.freeInodesCount);
    }

    /** Each content belongs to one file; contents no file uses are hidden, so their bytes are zeroed. */
    private void claimContents(TreeBuilder.Tree tree, List<FileContent> contents) throws IOException {
        for (InodeSpec inode : tree.inodes()) {
            if (inode.content != null) {
                if (inode.content.state() != FileContent.State.WRITTEN) {
                    throw new IllegalArgumentException("a file content was " + (inode.content.state()
                            == FileContent.State.USED ? "given to two files" : "discarded") + " but is used");
                }
                inode.content.moveTo(FileContent.State.USED);
            }
        }
        for (FileContent content : contents) {
            if (content.state() == FileContent.State.WRITTEN) {
                contentWriter.discard(content);
            }
        }
    }

    private void prepareInodes(TreeBuilder.Tree tree, DirectoryEncoder directories) {
        for (InodeSpec inode : tree.inodes()) {
            inode.xattrs = new Xattrs(inode.metadata.xattrs());
            if (!inode.xattrs.fitsInInode() && !inode.xattrs.fitsInBlock()) {
                throw new Ext4Exception("the extended attributes of inode " + inode.number
                        + " do not fit in one 4 KiB block");
            }
            if (inode.isDirectory()) {
                inode.directoryBlocks = directories.blockCount(inode);
                inode.indexed = directories.isIndexed(inode);
            }
        }
    }

    private InodeSpec journalInode() {
        InodeSpec journal = new InodeSpec(Features.S_IFREG | 0600, Metadata.of(0600, 0, 0, options.defaultTimestamp()));
        journal.number = Geometry.JOURNAL_INODE;
        journal.links = 1;
        journal.xattrs = new Xattrs(Map.of());
        return journal;
    }

    private Superblock newSuperblock() {
        Superblock sb = new Superblock();
        sb.timestamp = (int) options.defaultTimestamp().seconds();
        sb.featureCompat = Features.COMPAT_EXT_ATTR | Features.COMPAT_DIR_INDEX
                | (options.journal() ? Features.COMPAT_HAS_JOURNAL : 0);
        sb.featureIncompat = Features.INCOMPAT_FILETYPE | Features.INCOMPAT_EXTENTS | Features.INCOMPAT_64BIT
                | Features.INCOMPAT_FLEX_BG;
        sb.featureRoCompat = Features.RO_COMPAT_SPARSE_SUPER | Features.RO_COMPAT_LARGE_FILE
                | Features.RO_COMPAT_HUGE_FILE | Features.RO_COMPAT_DIR_NLINK | Features.RO_COMPAT_EXTRA_ISIZE
                | Features.RO_COMPAT_METADATA_CSUM;
        sb.uuid = uuid(options.seed());
        ByteBuffer seed = ByteBuffer.wrap(derive("hash seed", options.seed())).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 4; i++) {
            sb.hashSeed[i] = seed.getInt();
        }
        sb.volumeName = Arrays.copyOf(options.volumeLabel().getBytes(StandardCharsets.UTF_8), 16);
        return sb;
    }

    /** A name-based (version 5 layout) UUID from the caller's seed: same seed, same UUID. */
    static byte[] uuid(byte[] seed) {
        byte[] uuid = derive("uuid", seed);
        uuid[6] = (byte) ((uuid[6] & 0x0f) | 0x50);
        uuid[8] = (byte) ((uuid[8] & 0x3f) | 0x80);
        return uuid;
    }

    private static byte[] derive(String purpose, byte[] seed) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(("agentkernel ext4 " + purpose + "\0").getBytes(StandardCharsets.UTF_8));
            return Arrays.copyOf(sha.digest(seed), 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
