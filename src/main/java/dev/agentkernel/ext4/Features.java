package dev.agentkernel.ext4;

/** Feature flags and other typed constants of the on-disk format, with the kernel's names. */
final class Features {
    // s_feature_compat
    static final int COMPAT_HAS_JOURNAL = 0x4;
    static final int COMPAT_EXT_ATTR = 0x8;
    static final int COMPAT_DIR_INDEX = 0x20;
    // s_feature_incompat
    static final int INCOMPAT_FILETYPE = 0x2;
    static final int INCOMPAT_EXTENTS = 0x40;
    static final int INCOMPAT_64BIT = 0x80;
    static final int INCOMPAT_FLEX_BG = 0x200;
    // s_feature_ro_compat
    static final int RO_COMPAT_SPARSE_SUPER = 0x1;
    static final int RO_COMPAT_LARGE_FILE = 0x2;
    static final int RO_COMPAT_HUGE_FILE = 0x8;
    static final int RO_COMPAT_DIR_NLINK = 0x20;
    static final int RO_COMPAT_EXTRA_ISIZE = 0x40;
    static final int RO_COMPAT_METADATA_CSUM = 0x400;
    // s_flags
    static final int FLAGS_UNSIGNED_HASH = 0x2;
    // s_default_mount_opts: what mke2fs sets by default
    static final int DEFM_XATTR_USER = 0x4;
    static final int DEFM_ACL = 0x8;
    // hash versions
    static final int DX_HASH_HALF_MD4 = 1;
    static final int CHECKSUM_TYPE_CRC32C = 1;
    // inode i_flags
    static final int INODE_INDEX_FL = 0x1000;
    static final int INODE_EXTENTS_FL = 0x80000;
    // bg_flags
    static final int BG_INODE_ZEROED = 0x4;
    // i_mode file types
    static final int S_IFIFO = 0010000;
    static final int S_IFCHR = 0020000;
    static final int S_IFDIR = 0040000;
    static final int S_IFBLK = 0060000;
    static final int S_IFREG = 0100000;
    static final int S_IFLNK = 0120000;
    static final int S_IFSOCK = 0140000;
    // directory entry file types
    static final int FT_REG_FILE = 1;
    static final int FT_DIR = 2;
    static final int FT_CHRDEV = 3;
    static final int FT_BLKDEV = 4;
    static final int FT_FIFO = 5;
    static final int FT_SOCK = 6;
    static final int FT_SYMLINK = 7;

    static final int EXT4_LINK_MAX = 65000;

    private Features() {
    }

    /** Directory entry file type for an i_mode. */
    static int fileType(int mode) {
        return switch (mode & 0170000) {
            case S_IFREG -> FT_REG_FILE;
            case S_IFDIR -> FT_DIR;
            case S_IFCHR -> FT_CHRDEV;
            case S_IFBLK -> FT_BLKDEV;
            case S_IFIFO -> FT_FIFO;
            case S_IFSOCK -> FT_SOCK;
            case S_IFLNK -> FT_SYMLINK;
            default -> throw new IllegalArgumentException("no file type in mode " + Integer.toOctalString(mode));
        };
    }
}
