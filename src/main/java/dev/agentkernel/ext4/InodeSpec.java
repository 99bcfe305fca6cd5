package dev.agentkernel.ext4;

import java.util.ArrayList;
import java.util.List;

/** Everything the layout needs to know about one inode of the tree, and where the layout put its blocks. */
final class InodeSpec {
    /** A name in a directory. */
    record Child(byte[] name, InodeSpec inode) {
    }

    int number;
    final int mode; // type bits and 07777
    final Metadata metadata;
    int links;

    FileContent content; // regular files
    byte[] symlinkTarget; // symlinks
    int major;
    int minor; // devices
    final List<Child> children = new ArrayList<>(); // directories, sorted by name
    InodeSpec parent; // directories
    int subdirectories;
    int minimumBlocks = 1; // directories: lost+found keeps spare blocks, as mke2fs makes it

    // Filled in by the layout.
    ExtentList extents = new ExtentList();
    long[] treeBlocks = new long[0];
    long xattrBlock;
    Xattrs xattrs;
    int directoryBlocks;
    boolean indexed;

    InodeSpec(int mode, Metadata metadata) {
        this.mode = mode;
        this.metadata = metadata;
    }

    int type() {
        return mode & 0170000;
    }

    boolean isDirectory() {
        return type() == Features.S_IFDIR;
    }

    boolean isFastSymlink() {
        return type() == Features.S_IFLNK && symlinkTarget.length < Inode.I_BLOCK_SIZE;
    }

    /** The directory link count: "." and the parent's entry, plus each subdirectory's "..". */
    int directoryLinks() {
        int count = 2 + subdirectories;
        return count > Features.EXT4_LINK_MAX ? 1 : count; // dir_nlink: 1 means "too many to count"
    }
}
