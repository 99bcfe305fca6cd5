package dev.agentkernel.ext4;

/** The metadata_csum seeds (fs/ext4/super.c and inode.c): everything is chained from the UUID's CRC32C. */
final class Checksums {
    private Checksums() {
    }

    /** s_csum_seed: crc32c(~0, uuid). */
    static int filesystemSeed(byte[] uuid) {
        return Crc32c.update(~0, uuid);
    }

    /** The per-inode seed: the filesystem seed chained with the inode number and i_generation (always 0). */
    static int inodeSeed(int filesystemSeed, int inodeNumber) {
        return Crc32c.updateInt(Crc32c.updateInt(filesystemSeed, inodeNumber), 0);
    }
}
