package dev.agentkernel.ext4;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The superblock of an empty jbd2 journal (journal_superblock_t, big-endian, as mke2fs writes it): version 2,
 * nothing to replay (s_start 0), one user. The rest of the journal is zeros and so never written.
 * https://www.kernel.org/doc/html/latest/filesystems/ext4/journal.html
 */
final class JournalSuperblock {
    static final int MAGIC = 0xC03B3998;
    static final int SUPERBLOCK_V2 = 4;

    private JournalSuperblock() {
    }

    static byte[] encode(int journalBlocks, byte[] uuid) {
        ByteBuffer b = ByteBuffer.allocate(Geometry.BLOCK_SIZE).order(ByteOrder.BIG_ENDIAN);
        b.putInt(0x00, MAGIC);
        b.putInt(0x04, SUPERBLOCK_V2);
        b.putInt(0x08, 0); // h_sequence
        b.putInt(0x0C, Geometry.BLOCK_SIZE);
        b.putInt(0x10, journalBlocks); // s_maxlen
        b.putInt(0x14, 1); // s_first: the first log block after this superblock
        b.putInt(0x18, 1); // s_sequence: the first transaction id expected
        b.putInt(0x1C, 0); // s_start: 0 means the journal is empty
        b.put(0x30, uuid);
        b.putInt(0x40, 1); // s_nr_users
        return b.array();
    }
}
