/**
 * A pure-Java ext4 writer: {@link dev.agentkernel.ext4.Ext4Writer} streams file contents into an image as they
 * arrive and lays out all metadata after them at finish, the approach of hcsshim's compactext4 and
 * apple/containerization's formatter.
 *
 * <pre>
 * block 0            superblock (at byte 1024) and the group descriptor table, plus spare GDT room
 * data region        file contents in arrival order; all-zero blocks are holes (never allocated or written);
 *                    the head of every sparse_super group (1, 3, 5, 7, 9, 25, 27, 49, ...) is skipped, because
 *                    its backup superblock and GDT go there
 * metadata region    block bitmaps, inode bitmaps, inode tables (flex_bg lets them sit anywhere), directory
 *                    blocks, block symlinks, xattr blocks, extent tree blocks, then the journal
 * free space         up to the requested size; never written, so the image file stays sparse
 * </pre>
 *
 * <p>The on-disk structures ({@code Superblock}, {@code GroupDescriptor}, {@code Inode}, {@code ExtentTree},
 * {@code DirectoryEncoder}, {@code Xattrs}, {@code JournalSuperblock}) are encoded explicitly in little-endian
 * (the journal in big-endian) with the kernel's field names; the layout logic ({@code BlockAllocator},
 * {@code LayoutPlanner}, {@code ImageAssembler}) fills them. Everything is checksummed with CRC32C
 * (metadata_csum). References: https://www.kernel.org/doc/html/latest/filesystems/ext4/ (on-disk format),
 * e2fsprogs (e2fsck decides what "clean" means), fs/ext4/hash.c (the htree hash).
 */
package dev.agentkernel.ext4;
