package dev.agentkernel.ext4;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Extended attributes as ext4 stores them: the name prefix becomes an index ({@code user.} 1, {@code trusted.} 4,
 * {@code security.} 6, POSIX ACLs 2 and 3 with their values converted to ext4's compact form), entries sorted as
 * the kernel searches them, values padded to 4 bytes. They go in the inode when they fit, else in one block.
 * https://www.kernel.org/doc/html/latest/filesystems/ext4/attributes.html
 */
final class Xattrs {
    static final int MAGIC = 0xEA020000;
    static final int INLINE_SPACE = Inode.SIZE - Inode.XATTR_OFFSET - 4; // after the magic
    static final int BLOCK_HEADER = 32;

    /** One attribute in on-disk terms. */
    record Attr(int index, byte[] name, byte[] value) {
        int entrySize() {
            return pad(16 + name.length);
        }

        int valueSize() {
            return pad(value.length);
        }
    }

    private final List<Attr> attrs;

    /** The order the kernel searches entries in: index, name length, name. */
    private static final Comparator<Attr> KERNEL_ORDER = Comparator.comparingInt(Attr::index)
            .thenComparingInt((Attr a) -> a.name().length).thenComparing(Attr::name, java.util.Arrays::compareUnsigned);

    Xattrs(Map<String, byte[]> xattrs) {
        if (xattrs.isEmpty()) { // most inodes: nothing to convert or sort
            this.attrs = List.of();
            return;
        }
        List<Attr> list = new ArrayList<>();
        xattrs.forEach((name, value) -> list.add(toAttr(name, value)));
        list.sort(KERNEL_ORDER);
        this.attrs = list;
    }

    boolean isEmpty() {
        return attrs.isEmpty();
    }

    boolean fitsInInode() {
        return spaceNeeded() + 4 <= INLINE_SPACE;
    }

    boolean fitsInBlock() {
        return BLOCK_HEADER + spaceNeeded() + 4 <= Geometry.BLOCK_SIZE;
    }

    private int spaceNeeded() {
        int total = 0;
        for (Attr a : attrs) {
            total += a.entrySize() + a.valueSize();
        }
        return total;
    }

    /** The in-inode area: magic, entries, end marker, values at the end; offsets count from the first entry. */
    byte[] encodeInInode() {
        ByteBuffer b = ByteBuffer.allocate(4 + INLINE_SPACE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MAGIC);
        ByteBuffer area = b.slice().order(ByteOrder.LITTLE_ENDIAN);
        writeEntries(area, INLINE_SPACE);
        return b.array();
    }

    /** A key equal for equal attribute sets: inodes with the same set share one block. */
    String identity() {
        StringBuilder key = new StringBuilder();
        java.util.HexFormat hex = java.util.HexFormat.of();
        for (Attr a : attrs) {
            key.append(a.index()).append(':').append(hex.formatHex(a.name())).append('=')
                    .append(hex.formatHex(a.value())).append(';');
        }
        return key.toString();
    }

    /** An attribute block at {@code blockNumber} used by {@code refcount} inodes, checksummed. */
    byte[] encodeBlock(long blockNumber, int refcount, int fsCsumSeed) {
        ByteBuffer b = ByteBuffer.allocate(Geometry.BLOCK_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x00, MAGIC);
        b.putInt(0x04, refcount); // h_refcount: the inodes sharing this block
        b.putInt(0x08, 1); // h_blocks
        b.position(BLOCK_HEADER);
        int blockHash = writeEntries(b, Geometry.BLOCK_SIZE);
        b.putInt(0x0C, blockHash);
        byte[] bytes = b.array();
        int crc = Crc32c.updateLong(fsCsumSeed, blockNumber);
        b.putInt(0x10, Crc32c.update(crc, bytes));
        return bytes;
    }

    /** Writes entries from the buffer's position and values down from {@code end}; returns the block hash. */
    private int writeEntries(ByteBuffer b, int end) {
        int valueEnd = end;
        int blockHash = 0;
        for (Attr a : attrs) {
            int valueOffset = 0;
            if (a.value().length > 0) {
                valueEnd -= a.valueSize();
                valueOffset = valueEnd;
                b.put(valueOffset, a.value());
            }
            int entryHash = entryHash(a);
            b.put((byte) a.name().length);
            b.put((byte) a.index());
            b.putShort((short) valueOffset);
            b.putInt(0); // e_value_inum: no ea_inode
            b.putInt(a.value().length);
            b.putInt(entryHash);
            b.put(a.name());
            b.position(b.position() + a.entrySize() - 16 - a.name().length);
            blockHash = (blockHash << 16) ^ (blockHash >>> 16) ^ entryHash;
        }
        b.putInt(0); // end of entries
        return blockHash;
    }

    /** ext4_xattr_hash_entry: the name bytes, then the value's little-endian words. */
    static int entryHash(Attr a) {
        int hash = 0;
        for (byte c : a.name()) {
            hash = (hash << 5) ^ (hash >>> 27) ^ (c & 0xff);
        }
        byte[] padded = java.util.Arrays.copyOf(a.value(), a.valueSize());
        ByteBuffer v = ByteBuffer.wrap(padded).order(ByteOrder.LITTLE_ENDIAN);
        while (v.hasRemaining()) {
            hash = (hash << 16) ^ (hash >>> 16) ^ v.getInt();
        }
        return hash;
    }

    private static Attr toAttr(String fullName, byte[] value) {
        if (fullName.equals("system.posix_acl_access")) {
            return new Attr(2, new byte[0], PosixAcl.toExt4(value, fullName));
        }
        if (fullName.equals("system.posix_acl_default")) {
            return new Attr(3, new byte[0], PosixAcl.toExt4(value, fullName));
        }
        String[][] prefixes = {{"user.", "1"}, {"trusted.", "4"}, {"security.", "6"}};
        for (String[] p : prefixes) {
            if (fullName.startsWith(p[0]) && fullName.length() > p[0].length()) {
                byte[] name = fullName.substring(p[0].length()).getBytes(StandardCharsets.UTF_8);
                if (name.length > 255) {
                    throw new Ext4Exception("extended attribute name too long: " + fullName);
                }
                return new Attr(Integer.parseInt(p[1]), name, value);
            }
        }
        throw new Ext4Exception("unsupported extended attribute " + fullName
                + " (ext4 stores only user., trusted., security. and POSIX ACLs)");
    }

    static int pad(int n) {
        return (n + 3) & ~3;
    }
}
