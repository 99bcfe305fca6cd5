package dev.agentkernel.ext4;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Streams file contents into data blocks as they arrive. Reading happens outside the lock, so several callers
 * can overlap their reading; allocation and the positional write of each chunk happen under it. Blocks that are
 * all zero become holes: never allocated, never written.
 */
final class ContentWriter {
    private static final int CHUNK = 1 << 20;
    /** Written over discarded contents; never modified. */
    private static final byte[] ZEROS = new byte[CHUNK];
    private static final byte[] ZERO_BLOCK = new byte[Geometry.BLOCK_SIZE];
    /** One chunk buffer per calling thread, reused: memory stays flat whatever the number and size of files. */
    private static final ThreadLocal<byte[]> BUFFERS = ThreadLocal.withInitial(() -> new byte[CHUNK]);

    /** Runs up to this size are gathered; larger ones are written directly, outside the lock. */
    private static final int SMALL_RUN = 64 << 10;

    private final ImageFile image;
    private final BlockAllocator allocator;
    private final long blockLimit;
    /**
     * Small runs that follow each other on disk (the allocator only moves forward, so a stream of small files
     * lands back to back) gather here and reach the file in one write instead of one per file. Direct, so the
     * write needs no extra copy. Guarded by the allocator lock, like {@link #pendingStart}.
     */
    private final ByteBuffer pending = ByteBuffer.allocateDirect(CHUNK);
    private long pendingStart = -1;

    /** @param blockLimit blocks the data may use at most (a fixed size minus the least metadata), or MAX_VALUE */
    ContentWriter(ImageFile image, BlockAllocator allocator, long blockLimit) {
        this.image = image;
        this.allocator = allocator;
        this.blockLimit = blockLimit;
    }

    /** The largest file ext4 holds with 4 KiB blocks: extents address 2^32 logical blocks. */
    static final long MAX_FILE_BYTES = (1L << 32) * Geometry.BLOCK_SIZE;

    FileContent write(InputStream in, long length) throws IOException {
        checkLength(length);
        ExtentList extents = new ExtentList();
        byte[] buffer = BUFFERS.get();
        long logicalBlock = 0;
        long remaining = length;
        while (remaining > 0) {
            int want = (int) Math.min(buffer.length, remaining);
            int got = in.readNBytes(buffer, 0, want);
            if (got < want) {
                throw new Ext4Exception("file content ended after " + (length - remaining + got) + " of "
                        + length + " bytes");
            }
            int blocks = (int) (roundUpToBlock(got) / Geometry.BLOCK_SIZE);
            Arrays.fill(buffer, got, blocks * Geometry.BLOCK_SIZE, (byte) 0);
            storeChunk(ByteBuffer.wrap(buffer, 0, blocks * Geometry.BLOCK_SIZE), blocks, logicalBlock, extents);
            logicalBlock += blocks;
            remaining -= got;
        }
        return new FileContent(length, extents);
    }

    private static void checkLength(long length) {
        if (length < 0) {
            throw new IllegalArgumentException("negative length " + length);
        }
        if (length > MAX_FILE_BYTES) {
            throw new Ext4Exception("a file of " + length + " bytes is larger than ext4 can hold (16 TiB)");
        }
    }

    /**
     * A sparse file of {@code length} bytes whose data {@code segments} ({offset, length} pairs, ordered,
     * disjoint, inside the file) arrive one after another in {@code data}; everything else is a hole. The work
     * is proportional to the data, not to the file's size: only the blocks the segments touch are filled in,
     * checked and written.
     */
    FileContent writeSparse(InputStream data, long length, java.util.List<long[]> segments) throws IOException {
        checkLength(length);
        long previousEnd = 0;
        for (long[] segment : segments) {
            if (segment[0] < previousEnd || segment[1] < 0 || segment[1] > length - segment[0]) {
                throw new IllegalArgumentException("sparse segments must be ordered, disjoint and inside the "
                        + length + " bytes of the file");
            }
            previousEnd = segment[0] + segment[1];
        }
        ExtentList extents = new ExtentList();
        byte[] buffer = BUFFERS.get();
        int i = 0;
        long consumed = 0; // of segment i
        while (true) {
            while (i < segments.size() && consumed == segments.get(i)[1]) {
                i++;
                consumed = 0;
            }
            if (i == segments.size()) {
                break;
            }
            long[] first = segments.get(i);
            long chunkStart = (first[0] + consumed) / Geometry.BLOCK_SIZE * Geometry.BLOCK_SIZE;
            long chunkEnd = Math.min(chunkStart + buffer.length, roundUpToBlock(length));
            long filled = chunkStart; // bytes of the buffer filled in so far, as a file position
            while (i < segments.size()) {
                long[] segment = segments.get(i);
                long start = segment[0] + consumed;
                long end = segment[0] + segment[1];
                if (start >= chunkEnd || (filled > chunkStart && start >= roundUpToBlock(filled))) {
                    break; // past the chunk, or a hole of whole blocks comes first: the next chunk starts there
                }
                Arrays.fill(buffer, (int) (filled - chunkStart), (int) (start - chunkStart), (byte) 0);
                int take = (int) (Math.min(end, chunkEnd) - start);
                int got = data.readNBytes(buffer, (int) (start - chunkStart), take);
                if (got < take) {
                    throw new Ext4Exception("sparse file content ended early");
                }
                filled = start + take;
                if (start + take < end) {
                    consumed += take;
                    break;
                }
                i++;
                consumed = 0;
            }
            int used = (int) (roundUpToBlock(filled) - chunkStart);
            Arrays.fill(buffer, (int) (filled - chunkStart), used, (byte) 0);
            storeChunk(ByteBuffer.wrap(buffer, 0, used), used / Geometry.BLOCK_SIZE,
                    chunkStart / Geometry.BLOCK_SIZE, extents);
        }
        return new FileContent(length, extents);
    }

    /**
     * Writes the remaining bytes of {@code content} (its position is left alone). A direct or mapped buffer goes
     * to the file without any copy in this process: a mapped file is checked for zero blocks in place and
     * written from the page cache.
     */
    FileContent write(ByteBuffer content) throws IOException {
        ByteBuffer data = content.slice();
        int length = data.remaining();
        int fullBytes = length - length % Geometry.BLOCK_SIZE;
        ExtentList extents = new ExtentList();
        long logicalBlock = 0;
        for (int at = 0; at < fullBytes; at += CHUNK) {
            int n = Math.min(CHUNK, fullBytes - at);
            storeChunk(data.slice(at, n), n / Geometry.BLOCK_SIZE, logicalBlock, extents);
            logicalBlock += n / Geometry.BLOCK_SIZE;
        }
        if (fullBytes < length) { // the last, partial block, padded with zeros (in this thread's chunk buffer)
            byte[] last = BUFFERS.get();
            data.get(fullBytes, last, 0, length - fullBytes);
            Arrays.fill(last, length - fullBytes, Geometry.BLOCK_SIZE, (byte) 0);
            storeChunk(ByteBuffer.wrap(last, 0, Geometry.BLOCK_SIZE), 1, logicalBlock, extents);
        }
        return new FileContent(length, extents);
    }

    /** Writes the non-zero blocks of a chunk (whole blocks, from index 0), run by run. */
    private void storeChunk(ByteBuffer buffer, int blocks, long firstLogical, ExtentList extents) throws IOException {
        int i = 0;
        while (i < blocks) {
            if (isZero(buffer, i)) {
                i++;
                continue;
            }
            int end = i + 1;
            while (end < blocks && !isZero(buffer, end)) {
                end++;
            }
            writeRun(buffer, i, end, firstLogical, extents);
            i = end;
        }
    }

    private void writeRun(ByteBuffer buffer, int from, int to, long firstLogical, ExtentList extents)
            throws IOException {
        int at = from;
        while (at < to) {
            long start;
            int count;
            synchronized (allocator) {
                start = allocator.allocate(to - at);
                count = (int) (allocator.next() - start);
                if (allocator.next() > blockLimit) {
                    throw new Ext4Exception("the content does not fit: the fixed size is "
                            + image.fixedSizeBytes() + " bytes but the data alone needs at least "
                            + allocator.next() * Geometry.BLOCK_SIZE + " bytes");
                }
                if (count * Geometry.BLOCK_SIZE <= SMALL_RUN) {
                    gather(start, buffer, at * Geometry.BLOCK_SIZE, count * Geometry.BLOCK_SIZE);
                }
            }
            if (count * Geometry.BLOCK_SIZE > SMALL_RUN) {
                image.write(start * Geometry.BLOCK_SIZE,
                        buffer.slice(at * Geometry.BLOCK_SIZE, count * Geometry.BLOCK_SIZE));
            }
            extents.add(firstLogical + at, start, count); // this call's own list: no lock needed
            at += count;
        }
    }

    /** Appends a run to the gathered ones, writing those first when it does not follow them or they are full. */
    private void gather(long start, ByteBuffer buffer, int offset, int length) throws IOException {
        boolean follows = pendingStart >= 0 && start == pendingStart + pending.position() / Geometry.BLOCK_SIZE;
        if (!follows || pending.remaining() < length) {
            writePending();
            pendingStart = start;
        }
        pending.put(pending.position(), buffer, offset, length).position(pending.position() + length);
    }

    /** Writes the gathered runs: before their blocks are zeroed, and before finish() writes metadata. */
    void flush() throws IOException {
        synchronized (allocator) {
            writePending();
        }
    }

    private void writePending() throws IOException {
        if (pending.position() > 0) {
            pending.flip();
            try {
                image.write(pendingStart * Geometry.BLOCK_SIZE, pending);
            } finally {
                pending.clear();
                pendingStart = -1;
            }
        }
    }

    /** The content turned out to be hidden: zeros over its blocks, so its bytes never stay in the image. */
    void discard(FileContent content) throws IOException {
        zero(content);
        content.moveTo(FileContent.State.DISCARDED);
    }

    private void zero(FileContent content) throws IOException {
        flush(); // the content's bytes may still be gathered: they must not land after the zeros
        byte[] zeros = ZEROS;
        int blocksPerChunk = CHUNK / Geometry.BLOCK_SIZE;
        ExtentList extents = content.extents();
        for (int i = 0; i < extents.size(); i++) {
            for (int b = 0; b < extents.length(i); b += blocksPerChunk) {
                int count = Math.min(blocksPerChunk, extents.length(i) - b);
                image.write(extents.physical(i) + b, zeros, 0, count * Geometry.BLOCK_SIZE);
            }
        }
    }

    private static boolean isZero(ByteBuffer buffer, int block) {
        int off = block * Geometry.BLOCK_SIZE;
        if (buffer.hasArray()) { // vectorized compare
            int from = buffer.arrayOffset() + off;
            return Arrays.mismatch(buffer.array(), from, from + Geometry.BLOCK_SIZE, ZERO_BLOCK, 0,
                    Geometry.BLOCK_SIZE) < 0;
        }
        for (int i = off; i < off + Geometry.BLOCK_SIZE; i += Long.BYTES) {
            if (buffer.getLong(i) != 0) {
                return false;
            }
        }
        return true;
    }

    static long roundUpToBlock(long bytes) {
        return (bytes + Geometry.BLOCK_SIZE - 1) / Geometry.BLOCK_SIZE * Geometry.BLOCK_SIZE;
    }
}
