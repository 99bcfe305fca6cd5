package dev.agentkernel.ext4;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Encodes a directory's blocks. One block: a linear list ("." and ".." first). More: an htree, block 0 holding
 * the dx root, leaves sorted by name hash (one index level, or two beyond 507 leaves). Every leaf ends in a
 * checksum tail, every index block in a dx tail.
 * https://www.kernel.org/doc/html/latest/filesystems/ext4/directory.html
 * Not thread-safe: {@link #blockCount} and {@link #encode} run on the thread that finishes the image.
 */
final class DirectoryEncoder {
    static final int TAIL_SIZE = 12;
    static final int LEAF_SPACE = Geometry.BLOCK_SIZE - TAIL_SIZE;
    static final int ROOT_LIMIT = (Geometry.BLOCK_SIZE - 32 - 8) / 8; // 507: after the root info, minus dx_tail
    static final int NODE_LIMIT = (Geometry.BLOCK_SIZE - 8 - 8) / 8; // 510

    /** A name with its hash, ready to place in a leaf. */
    private record Named(byte[] name, int inode, int fileType, int hash) {
        int recordSize() {
            return recordSize(name.length);
        }

        static int recordSize(int nameLength) {
            return 8 + Xattrs.pad(nameLength);
        }
    }

    private final DirHash hash;
    private final int fsCsumSeed;
    /**
     * An htree directory's names as {@link #blockCount} hashed and sorted them, kept for {@link #encode}: for a
     * large directory that is most of the work, and the names and inode numbers are final by then.
     */
    private final Map<InodeSpec, List<Named>> sortedNames = new IdentityHashMap<>();

    DirectoryEncoder(DirHash hash, int fsCsumSeed) {
        this.hash = hash;
        this.fsCsumSeed = fsCsumSeed;
    }

    /** The directory's blocks in logical order. lost+found keeps spare empty blocks like mke2fs makes them. */
    List<byte[]> encode(InodeSpec dir) {
        int seed = Checksums.inodeSeed(fsCsumSeed, dir.number);
        if (!isIndexed(dir)) {
            List<Named> all = new ArrayList<>();
            all.add(new Named(new byte[] {'.'}, dir.number, Features.FT_DIR, 0));
            all.add(new Named(new byte[] {'.', '.'}, dir.parent.number, Features.FT_DIR, 0));
            all.addAll(named(dir, false));
            List<byte[]> blocks = new ArrayList<>();
            blocks.add(leaf(all, 0, all.size(), seed));
            while (blocks.size() < dir.minimumBlocks) {
                blocks.add(leaf(all, 0, 0, seed));
            }
            return blocks;
        }
        return htree(dir, seed);
    }

    /** How many blocks {@link #encode} produces, without building them (the layout needs it first). */
    int blockCount(InodeSpec dir) {
        if (!isIndexed(dir)) {
            return Math.max(1, dir.minimumBlocks); // a linear directory: one block of names plus any spare ones
        }
        List<Named> entries = sortedNames.computeIfAbsent(dir, this::sortedByHash);
        int leaves = leafStarts(entries).size();
        return 1 + indexNodes(leaves, entries.size()) + leaves;
    }

    /** Whether the directory needs more than one block of names, and so an htree. */
    boolean isIndexed(InodeSpec dir) {
        int linearSize = 24;
        for (InodeSpec.Child c : dir.children) {
            linearSize += Named.recordSize(c.name().length);
        }
        return linearSize > LEAF_SPACE;
    }

    private List<Named> named(InodeSpec dir, boolean hashed) {
        List<Named> list = new ArrayList<>(dir.children.size());
        for (InodeSpec.Child c : dir.children) {
            list.add(new Named(c.name(), c.inode().number, Features.fileType(c.inode().mode),
                    hashed ? hash.hash(c.name()) : 0));
        }
        return list;
    }

    /** The names in htree order: by hash, then by name. */
    private List<Named> sortedByHash(InodeSpec dir) {
        List<Named> entries = named(dir, true);
        entries.sort((a, b) -> {
            int byHash = Integer.compareUnsigned(a.hash(), b.hash());
            return byHash != 0 ? byHash : Arrays.compareUnsigned(a.name(), b.name());
        });
        return entries;
    }

    /** Where each leaf starts in the sorted names: a leaf takes names until the next would not fit. */
    private static List<Integer> leafStarts(List<Named> entries) {
        List<Integer> leafStarts = new ArrayList<>();
        int used = LEAF_SPACE;
        for (int i = 0; i < entries.size(); i++) {
            int size = entries.get(i).recordSize();
            if (used + size > LEAF_SPACE) {
                leafStarts.add(i);
                used = 0;
            }
            used += size;
        }
        return leafStarts;
    }

    /** Index blocks between the root and the leaves: none up to 507 leaves, else one per 510 leaves. */
    private static int indexNodes(int leaves, int names) {
        if (leaves > ROOT_LIMIT * NODE_LIMIT) {
            throw new Ext4Exception("directory with " + names + " entries is too large for a two-level htree");
        }
        return leaves > ROOT_LIMIT ? (leaves + NODE_LIMIT - 1) / NODE_LIMIT : 0;
    }

    private List<byte[]> htree(InodeSpec dir, int seed) {
        List<Named> counted = sortedNames.remove(dir);
        List<Named> entries = counted != null ? counted : sortedByHash(dir);
        List<Integer> leafStarts = leafStarts(entries);
        int leaves = leafStarts.size();
        int[] leafHashes = new int[leaves];
        for (int l = 0; l < leaves; l++) {
            int first = leafStarts.get(l);
            int h = entries.get(first).hash();
            boolean continues = first > 0 && entries.get(first - 1).hash() == h;
            leafHashes[l] = continues ? h | 1 : h; // the low bit marks a hash run split across two leaves
        }
        int nodes = indexNodes(leaves, entries.size());
        int firstLeaf = 1 + nodes;
        List<byte[]> blocks = new ArrayList<>();
        if (nodes == 0) {
            blocks.add(dxRoot(dir, leafHashes, firstLeaf, 0, leaves, 0, seed));
        } else {
            int[] nodeHashes = new int[nodes];
            for (int n = 0; n < nodes; n++) {
                nodeHashes[n] = leafHashes[n * NODE_LIMIT];
            }
            blocks.add(dxRoot(dir, nodeHashes, 1, 0, nodes, 1, seed));
            for (int n = 0; n < nodes; n++) {
                int from = n * NODE_LIMIT;
                int to = Math.min(leaves, from + NODE_LIMIT);
                blocks.add(dxNode(leafHashes, firstLeaf, from, to, seed));
            }
        }
        for (int l = 0; l < leaves; l++) {
            int to = l + 1 < leaves ? leafStarts.get(l + 1) : entries.size();
            blocks.add(leaf(entries, leafStarts.get(l), to, seed));
        }
        return blocks;
    }

    /** The dx root: fake "." and ".." entries, dx_root_info, then the count/limit and the index entries. */
    private byte[] dxRoot(InodeSpec dir, int[] hashes, int firstBlock, int from, int to, int levels, int seed) {
        ByteBuffer b = ByteBuffer.allocate(Geometry.BLOCK_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, dir.number).putShort(4, (short) 12).put(6, (byte) 1).put(7, (byte) Features.FT_DIR);
        b.put(8, (byte) '.');
        b.putInt(12, dir.parent.number).putShort(16, (short) (Geometry.BLOCK_SIZE - 12)).put(18, (byte) 2);
        b.put(19, (byte) Features.FT_DIR).put(20, (byte) '.').put(21, (byte) '.');
        b.putInt(24, 0); // dx_root_info.reserved_zero
        b.put(28, (byte) Features.DX_HASH_HALF_MD4).put(29, (byte) 8).put(30, (byte) levels);
        writeIndex(b, 32, ROOT_LIMIT, hashes, firstBlock, from, to, seed);
        return b.array();
    }

    /** An interior index block: a fake empty entry spanning the block, then count/limit and entries. */
    private byte[] dxNode(int[] hashes, int firstBlock, int from, int to, int seed) {
        ByteBuffer b = ByteBuffer.allocate(Geometry.BLOCK_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, 0).putShort(4, (short) Geometry.BLOCK_SIZE);
        writeIndex(b, 8, NODE_LIMIT, hashes, firstBlock, from, to, seed);
        return b.array();
    }

    /** count/limit, entries (the first one's hash slot holds count/limit), dx_tail with its checksum. */
    private void writeIndex(ByteBuffer b, int at, int limit, int[] hashes, int firstBlock, int from, int to,
                            int seed) {
        int count = to - from;
        b.putShort(at, (short) limit).putShort(at + 2, (short) count).putInt(at + 4, firstBlock + from);
        for (int i = 1; i < count; i++) {
            b.putInt(at + 8 * i, hashes[from + i]).putInt(at + 8 * i + 4, firstBlock + from + i);
        }
        int tail = at + 8 * limit;
        byte[] bytes = b.array();
        int crc = Crc32c.update(seed, bytes, 0, at + 8 * count);
        crc = Crc32c.updateInt(crc, 0); // dt_reserved
        crc = Crc32c.updateInt(crc, 0); // the checksum field itself, as zero
        b.putInt(tail + 4, crc);
    }

    /** A leaf (or linear) block: entries packed, the last one stretched to the tail, then the tail. */
    private byte[] leaf(List<Named> entries, int from, int to, int seed) {
        ByteBuffer b = ByteBuffer.allocate(Geometry.BLOCK_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        int at = 0;
        if (from == to) { // an empty block: one unused entry covering it
            b.putInt(0, 0).putShort(4, (short) LEAF_SPACE);
        }
        for (int i = from; i < to; i++) {
            Named n = entries.get(i);
            int recLen = i == to - 1 ? LEAF_SPACE - at : n.recordSize();
            b.putInt(at, n.inode()).putShort(at + 4, (short) recLen).put(at + 6, (byte) n.name().length);
            b.put(at + 7, (byte) n.fileType()).put(at + 8, n.name());
            at += recLen;
        }
        b.putInt(LEAF_SPACE, 0).putShort(LEAF_SPACE + 4, (short) TAIL_SIZE).put(LEAF_SPACE + 6, (byte) 0);
        b.put(LEAF_SPACE + 7, (byte) 0xDE);
        byte[] bytes = b.array();
        b.putInt(LEAF_SPACE + 8, Crc32c.update(seed, bytes, 0, LEAF_SPACE));
        return bytes;
    }
}
