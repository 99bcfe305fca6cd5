package dev.agentkernel.vm;

import dev.agentkernel.errors.VmException;
import dev.agentkernel.store.AtomicFiles;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes an empty qcow2 (version 3) image whose reads fall through to a backing file, as
 * {@code qemu-img create -f qcow2 -F FORMAT -b BACKING} does, without starting qemu-img: the image is four
 * clusters of tables written from here, where the program took 30-90 ms of every sandbox start. The layout is
 * qemu-img's (docs/interop/qcow2.txt in QEMU): the header with the backing format extension and the backing
 * name in cluster 0, the refcount table in cluster 1, its one refcount block in cluster 2, the L1 table (all
 * clusters unallocated) from cluster 3.
 */
public final class Qcow2Overlay {
    /** The backing file's format, as {@code -F} names it. */
    public enum BackingFormat {
        RAW("raw"), QCOW2("qcow2");

        final String qemuName;

        BackingFormat(String qemuName) {
            this.qemuName = qemuName;
        }
    }

    private static final int MAGIC = 0x514649fb; // "QFI\xfb"
    private static final int VERSION = 3;
    private static final int CLUSTER_BITS = 16;
    private static final int CLUSTER = 1 << CLUSTER_BITS;
    private static final int HEADER_LENGTH = 104;
    private static final int REFCOUNT_ORDER = 4; // 16-bit refcounts
    private static final int EXT_BACKING_FORMAT = 0xE2792ACA;
    private static final int EXT_END = 0;
    private static final long REFCOUNT_TABLE = CLUSTER;
    private static final long REFCOUNT_BLOCK = 2L * CLUSTER;
    private static final long L1_TABLE = 3L * CLUSTER;
    /** Guest bytes one L1 entry maps: an L2 table of 8-byte entries, each a cluster. */
    private static final long BYTES_PER_L1_ENTRY = (long) (CLUSTER / 8) * CLUSTER;
    /** qcow2's own limit on the backing file name. */
    private static final int MAX_BACKING_NAME = 1023;
    /** A virtual size of at most 4 TiB keeps the L1 table within a cluster and this writer simple. */
    static final long MAX_SIZE = BYTES_PER_L1_ENTRY * (CLUSTER / 8);

    private Qcow2Overlay() {
    }

    /**
     * Writes {@code image} (atomically: a temporary file renamed into place) over {@code backing}, an absolute
     * path recorded in the image, of the backing's virtual size.
     */
    public static void create(Path image, Path backing, BackingFormat format) {
        Path absolute = backing.toAbsolutePath();
        byte[] name = absolute.toString().getBytes(StandardCharsets.UTF_8);
        if (name.length > MAX_BACKING_NAME) {
            throw new IllegalArgumentException("the backing file's path is over " + MAX_BACKING_NAME + " bytes: "
                    + absolute);
        }
        long size;
        try {
            size = virtualSize(absolute, format);
        } catch (IOException e) {
            throw new VmException("cannot read the backing file " + absolute + ": " + e.getMessage(), e);
        }
        if (size <= 0 || size > MAX_SIZE || size % 512 != 0) {
            throw new VmException("the backing file " + absolute + " has a size (" + size + " bytes) a disk cannot"
                    + " have here (a multiple of 512 bytes up to 4 TiB)");
        }
        byte[] bytes = image(size, name, format);
        // not flushed here: the guest's first flush makes QEMU sync the file, tables and all, and until then
        // the sandbox has nothing on it to lose
        Path temp = image.resolveSibling("." + image.getFileName() + ".tmp");
        try {
            Files.write(temp, bytes);
            AtomicFiles.moveIntoPlace(temp, image);
        } catch (IOException e) {
            throw new VmException("cannot write the disk " + image + ": " + e.getMessage(), e);
        } finally {
            AtomicFiles.deleteQuietly(temp);
        }
    }

    /** The image's bytes: its four clusters, the L1 table's unused end left out (it reads as zeros). */
    static byte[] image(long size, byte[] backingName, BackingFormat format) {
        int l1Entries = (int) ((size + BYTES_PER_L1_ENTRY - 1) / BYTES_PER_L1_ENTRY);
        ByteBuffer b = ByteBuffer.allocate(3 * CLUSTER + Math.max(8, l1Entries * 8)); // big-endian, zero-filled
        byte[] formatName = format.qemuName.getBytes(StandardCharsets.US_ASCII);
        int extensions = HEADER_LENGTH;
        int backingOffset = extensions + 8 + pad8(formatName.length) + 8;
        b.putInt(0, MAGIC).putInt(4, VERSION)
                .putLong(8, backingOffset).putInt(16, backingName.length)
                .putInt(20, CLUSTER_BITS).putLong(24, size)
                .putInt(32, 0) // no encryption
                .putInt(36, l1Entries).putLong(40, L1_TABLE)
                .putLong(48, REFCOUNT_TABLE).putInt(56, 1) // one cluster of refcount table
                .putInt(60, 0).putLong(64, 0) // no internal snapshots
                .putLong(72, 0).putLong(80, 0).putLong(88, 0) // no feature bits
                .putInt(96, REFCOUNT_ORDER).putInt(100, HEADER_LENGTH);
        b.putInt(extensions, EXT_BACKING_FORMAT).putInt(extensions + 4, formatName.length);
        b.put(extensions + 8, formatName);
        b.putInt(extensions + 8 + pad8(formatName.length), EXT_END); // and a zero length
        b.put(backingOffset, backingName);
        b.putLong((int) REFCOUNT_TABLE, REFCOUNT_BLOCK);
        for (int cluster = 0; cluster < 4; cluster++) { // header, refcount table and block, L1 table: used once
            b.putShort((int) REFCOUNT_BLOCK + 2 * cluster, (short) 1);
        }
        return b.array();
    }

    private static int pad8(int n) {
        return (n + 7) & ~7;
    }

    /** What the guest sees as the disk's size: a raw file's length, a qcow2 image's size field. */
    static long virtualSize(Path backing, BackingFormat format) throws IOException {
        if (format == BackingFormat.RAW) {
            return Files.size(backing);
        }
        byte[] header = new byte[32];
        try (InputStream in = Files.newInputStream(backing)) {
            if (in.readNBytes(header, 0, header.length) != header.length) {
                throw new IOException("it is too short to be a qcow2 image");
            }
        }
        ByteBuffer h = ByteBuffer.wrap(header);
        if (h.getInt(0) != MAGIC) {
            throw new IOException("it is not a qcow2 image");
        }
        return h.getLong(24);
    }
}
