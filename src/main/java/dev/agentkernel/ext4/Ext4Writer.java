package dev.agentkernel.ext4;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes an ext4 image without root, loop devices or mkfs. File contents stream into data blocks as they
 * arrive ({@link #writeContent(InputStream, long)}); entries may be added in any order ({@link #add});
 * {@link #finish} lays out the metadata after the data, writes it and renames the temporary file into place.
 * Use in try-with-resources: {@link #close} without {@link #finish} deletes the temporary file.
 *
 * <p>Same entries, same contents (written in the same order) and same options give byte-identical images.
 */
public final class Ext4Writer implements AutoCloseable {
    /** GDT room kept in each superblock group when the size is not fixed: 16 blocks cover 128 GiB. */
    private static final int RESERVED_GDT_BLOCKS = 16;

    private final Path target;
    private final Ext4Options options;
    private final TemporaryImage temporary;
    private final ImageFile image;
    private final BlockAllocator allocator;
    private final ContentWriter contentWriter;
    /** The entries, placed as they are added; guarded by itself. */
    private final TreeBuilder tree;
    private final List<FileContent> contents = new ArrayList<>();
    private boolean finished;
    private boolean closed;

    private Ext4Writer(Path target, Ext4Options options, TemporaryImage temporary, ImageFile image) {
        this.target = target;
        this.options = options;
        this.temporary = temporary;
        this.image = image;
        long blockLimit = Long.MAX_VALUE;
        int headBlocks = 1 + RESERVED_GDT_BLOCKS;
        if (options.fixedSize()) {
            blockLimit = LayoutPlanner.fixedBlocks(options.fixedSizeBytes());
            headBlocks = 1 + Geometry.gdtBlocks(Geometry.groupCount(blockLimit));
        }
        this.allocator = new BlockAllocator(headBlocks);
        this.contentWriter = new ContentWriter(image, allocator, blockLimit);
        this.tree = new TreeBuilder(options.defaultTimestamp());
    }

    /** Starts an image that {@link #finish} will put at {@code target}; until then it is a temporary sibling. */
    public static Ext4Writer create(Path target, Ext4Options options) throws IOException {
        Path absolute = target.toAbsolutePath();
        TemporaryImage temporary = TemporaryImage.create(absolute);
        try {
            return new Ext4Writer(absolute, options, temporary, new ImageFile(temporary.path(), options.fixedSizeBytes()));
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temporary.path());
            temporary.release();
            throw e;
        }
    }

    /**
     * Deletes the temporary images that writers of {@code target} in processes that are gone left (a SIGKILL
     * runs no shutdown hook); a temporary of a live writer stays. Returns how many were deleted.
     */
    public static int sweepTemporaries(Path target) {
        return TemporaryImage.sweep(target);
    }

    /**
     * Streams exactly {@code length} bytes into data blocks now. Thread-safe. All-zero blocks become holes.
     * A content larger than a fixed size allows fails here, naming the size needed.
     */
    public FileContent writeContent(InputStream in, long length) throws IOException {
        checkOpen();
        return remember(contentWriter.write(in, length));
    }

    /**
     * A sparse file: {@code data} holds the bytes of {@code segments} ({offset, length} pairs, ordered and
     * disjoint) one after another, the rest of the {@code length} bytes are holes. Thread-safe. The work is
     * proportional to the data: a 1 TiB file with 4 KiB of data costs one block.
     */
    public FileContent writeSparseContent(InputStream data, long length, List<long[]> segments) throws IOException {
        checkOpen();
        return remember(contentWriter.writeSparse(data, length, segments));
    }

    /**
     * Like {@link #writeContent(InputStream, long)} for content already in memory: the buffer's remaining bytes
     * (its position is not changed). A direct buffer, or a file mapped with {@link java.nio.channels.FileChannel#map},
     * is checked for zero blocks in place and written without a copy in this process.
     */
    public FileContent writeContent(ByteBuffer content) throws IOException {
        checkOpen();
        return remember(contentWriter.write(content));
    }

    /** Keeps a written content, so that finish() zeroes it if no file claims it. */
    private FileContent remember(FileContent content) {
        synchronized (contents) {
            contents.add(content);
        }
        return content;
    }

    /** The content turned out to be hidden: its blocks are zeroed on disk and left free. */
    public void discard(FileContent content) throws IOException {
        checkOpen();
        contentWriter.discard(content);
    }

    /**
     * Adds an entry. Thread-safe, any order. A path added twice is an IllegalArgumentException; an entry below
     * a file, or a file where entries already are below, an {@link Ext4Exception} (the entry is not added).
     * A hard link's target need only exist by {@link #finish}.
     */
    public void add(Ext4Entry entry) {
        checkOpen();
        PathNames.validate(entry.path());
        if (entry instanceof Ext4Entry.HardLink link) {
            PathNames.validate(link.targetPath());
            if (link.path().isEmpty()) {
                throw new IllegalArgumentException("the root directory cannot be a hard link");
            }
        }
        synchronized (tree) {
            tree.add(entry);
        }
    }

    /** Lays out and writes the metadata, checks the size, syncs and renames the image into place. */
    public synchronized Ext4Result finish() throws IOException {
        checkOpen();
        finished = true;
        try {
            TreeBuilder.Tree built;
            synchronized (tree) {
                built = tree.build();
            }
            Ext4Result result = new ImageFinisher(image, options, allocator, contentWriter)
                    .finish(built, claimedContents(), target);
            image.close();
            Files.move(image.path(), target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            closed = true;
            temporary.release();
            return result;
        } catch (IOException | RuntimeException e) {
            closeAndDelete();
            throw e;
        }
    }

    private List<FileContent> claimedContents() {
        synchronized (contents) {
            return new ArrayList<>(contents);
        }
    }

    /** Without a successful finish(): deletes the temporary image. */
    @Override
    public synchronized void close() {
        if (!closed) {
            try {
                closeAndDelete();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete the temporary image " + image.path(), e);
            }
        }
    }

    private void closeAndDelete() throws IOException {
        closed = true;
        try {
            image.close();
        } finally {
            Files.deleteIfExists(image.path());
            temporary.release();
        }
    }

    private void checkOpen() {
        if (finished || closed) {
            throw new IllegalStateException("the ext4 writer for " + target + " is already finished or closed");
        }
    }

    /** Path rules: relative, '/'-separated, components of 1 to 255 bytes without NUL, not "." or "..". */
    static final class PathNames {
        private PathNames() {
        }

        static void validate(String path) {
            if (path.isEmpty()) {
                return;
            }
            boolean valid = path.indexOf('\0') < 0;
            for (int start = 0; valid; ) { // name by name, without splitting: called once per entry
                int end = path.indexOf('/', start);
                end = end < 0 ? path.length() : end;
                valid = validName(path, start, end);
                if (end == path.length()) {
                    break;
                }
                start = end + 1;
            }
            if (!valid) {
                throw new IllegalArgumentException("invalid path " + path.replace("\0", "\\0")
                        + ": names must be 1 to 255 bytes, without NUL, and not . or ..");
            }
        }

        private static boolean validName(String path, int start, int end) {
            int length = end - start;
            if (length == 0 || length <= 2 && path.startsWith(length == 1 ? "." : "..", start)) {
                return false;
            }
            // a char takes at most 3 bytes (a surrogate pair 4 for its 2 chars)
            return length * 3 <= 255 || RawNames.encodedLength(path, start, end) <= 255;
        }
    }
}
