package dev.agentkernel.store;

import dev.agentkernel.errors.StoreException;
import dev.agentkernel.image.Digest;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Content-addressed blobs (layers, configs, manifests) under {@code blobs/<algorithm>/<hex>}, shared by every
 * image and source, so a blob is downloaded or copied once. A blob only ever appears complete and verified:
 * bytes go to a partial file under {@code blobs/.partial/}, whose digest and size are checked before it is
 * renamed into place. A partial file outlives a failed download, so the next attempt can resume it.
 */
public final class BlobStore {
    private static final String PARTIAL_DIR = ".partial";

    private final Path root;
    private final Path locks;

    private BlobStore(Path root, Path locks) {
        this.root = root.toAbsolutePath().normalize();
        this.locks = locks.toAbsolutePath().normalize();
    }

    /** The blob store of a data directory. */
    public static BlobStore of(AgentkernelHome home) {
        return new BlobStore(home.blobs(), home.locks());
    }

    /** Where the blob with {@code digest} lives (whether or not it is there). */
    public Path path(Digest digest) {
        return root.resolve(digest.algorithm()).resolve(digest.hex());
    }

    public boolean contains(Digest digest) {
        return Files.isRegularFile(path(digest));
    }

    /** The size of a stored blob, or -1 when it is not stored. */
    public long size(Digest digest) {
        try {
            return Files.size(path(digest));
        } catch (IOException e) {
            return -1;
        }
    }

    /** Opens a stored blob; a missing one is a {@link StoreException} naming it. */
    public InputStream open(Digest digest) {
        try {
            return Files.newInputStream(path(digest));
        } catch (NoSuchFileException e) {
            throw new StoreException("blob " + digest + " is not in the blob store " + root
                    + " (pull or import the image again)", e);
        } catch (IOException e) {
            throw new StoreException("could not read blob " + digest + ": " + e.getMessage(), e);
        }
    }

    /** Reads a whole stored blob (manifests, configs); its digest is checked, so a corrupt file is noticed. */
    public byte[] read(Digest digest) {
        try (InputStream in = open(digest)) {
            byte[] bytes = in.readAllBytes();
            MessageDigest md = digest.newMessageDigest();
            if (!digest.matches(md.digest(bytes))) {
                throw new StoreException("blob " + path(digest) + " is corrupt (its content does not match its"
                        + " digest): delete it and pull the image again");
            }
            return bytes;
        } catch (IOException e) {
            throw new StoreException("could not read blob " + digest + ": " + e.getMessage(), e);
        }
    }

    /** Stores {@code content} under its sha256 digest (a no-op when present) and returns that digest. */
    public Digest put(byte[] content) {
        Digest digest = Digest.sha256(content);
        put(digest, content);
        return digest;
    }

    /** Stores {@code content}, which must have {@code expected} as its digest. */
    public void put(Digest expected, byte[] content) {
        if (contains(expected)) {
            return;
        }
        try (PendingBlob pending = begin(expected, content.length)) {
            if (pending.alreadyStored()) {
                return;
            }
            pending.restart();
            pending.output().write(content);
            pending.commit();
        } catch (IOException e) {
            throw new StoreException("could not write blob " + expected + ": " + e.getMessage(), e);
        }
    }

    /**
     * Starts writing (or resumes) the blob {@code expected} of {@code size} bytes (-1 if unknown). The caller
     * holds the returned blob's lock until it closes it: other threads and processes writing the same blob
     * (or one whose digest starts with the same byte) wait, then usually find it {@link #contains stored}.
     */
    public PendingBlob begin(Digest expected, long size) {
        FileLocks.Held lock = FileLocks.exclusive(lockFile(expected));
        try {
            Path partial = root.resolve(PARTIAL_DIR).resolve(expected.algorithm() + "-" + expected.hex());
            Files.createDirectories(partial.getParent());
            return new PendingBlob(this, expected, size, partial, lock);
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw new StoreException("could not start blob " + expected + ": " + e.getMessage(), e);
        }
    }

    /**
     * Moves {@code file}, whose sha256 the caller computed as {@code digest} while writing it, into the store (it
     * is deleted when the blob is already there). The file must be on the data directory's file system, e.g.
     * in {@link #scratchDirectory()}.
     */
    public void adopt(Path file, Digest digest) {
        try (FileLocks.Held ignored = FileLocks.exclusive(lockFile(digest))) {
            if (contains(digest)) {
                Files.deleteIfExists(file);
                return;
            }
            Path target = path(digest);
            Files.createDirectories(target.getParent());
            AtomicFiles.moveIntoPlace(file, target);
        } catch (IOException e) {
            throw new StoreException("could not store blob " + digest + ": " + e.getMessage(), e);
        }
    }

    /** A directory for blobs being written whose digest is not known yet (beside the partial downloads). */
    public Path scratchDirectory() {
        Path dir = root.resolve(PARTIAL_DIR);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new StoreException("cannot create " + dir + ": " + e.getMessage(), e);
        }
        return dir;
    }

    /** Every stored blob's digest, sorted. */
    public Set<Digest> list() {
        Set<Digest> digests = new TreeSet<>();
        for (String algorithm : new String[] {"sha256", "sha512"}) {
            Path dir = root.resolve(algorithm);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                for (Path entry : entries) {
                    String text = algorithm + ":" + entry.getFileName();
                    if (Digest.isDigest(text) && Files.isRegularFile(entry)) {
                        digests.add(Digest.parse(text));
                    }
                }
            } catch (IOException e) {
                throw new StoreException("could not list blobs in " + dir + ": " + e.getMessage(), e);
            }
        }
        return digests;
    }

    /** Deletes a stored blob (no error when absent). */
    public void delete(Digest digest) {
        try {
            Files.deleteIfExists(path(digest));
        } catch (IOException e) {
            throw new StoreException("could not delete blob " + digest + ": " + e.getMessage(), e);
        }
    }

    /**
     * Deletes partial downloads not written to since {@code cutoff}: a failed pull keeps one so that the next
     * attempt resumes it, and a pull never attempted again would keep it forever. A partial whose blob lock is
     * held (a download in progress) is skipped, never waited for. Returns the number deleted.
     */
    public int removePartialsOlderThan(Instant cutoff) {
        Path dir = root.resolve(PARTIAL_DIR);
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        int removed = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path partial : entries) {
                String name = partial.getFileName().toString();
                int dash = name.indexOf('-');
                String text = dash < 0 ? "" : name.substring(0, dash) + ":" + name.substring(dash + 1);
                if (!Digest.isDigest(text) || !modifiedBefore(partial, cutoff)) {
                    continue;
                }
                Optional<FileLocks.Held> lock = FileLocks.tryExclusive(lockFile(Digest.parse(text)));
                if (lock.isEmpty()) {
                    continue;
                }
                try (FileLocks.Held ignored = lock.get()) {
                    if (modifiedBefore(partial, cutoff) && Files.deleteIfExists(partial)) {
                        removed++;
                    }
                }
            }
        } catch (IOException e) {
            throw new StoreException("could not clean up partial downloads in " + dir + ": " + e.getMessage(), e);
        }
        return removed;
    }

    private static boolean modifiedBefore(Path file, Instant cutoff) throws IOException {
        try {
            return Files.getLastModifiedTime(file).toInstant().isBefore(cutoff);
        } catch (NoSuchFileException e) {
            return false; // committed or deleted meanwhile
        }
    }

    /** One lock file per first hex byte: at most 256 files, however many blobs come and go. */
    private Path lockFile(Digest digest) {
        return locks.resolve("blobs-" + digest.hex().substring(0, 2) + ".lock");
    }

    /**
     * A blob being written. {@link #resumeFrom()} says how many bytes an earlier attempt left; write the rest to
     * {@link #output()} (or {@link #restart()} to start over), then {@link #commit()}. Closing without
     * committing keeps the partial bytes for a later resume (unless they were found wrong) and frees the lock.
     */
    public static final class PendingBlob implements AutoCloseable {
        private final BlobStore store;
        private final Digest expected;
        private final long size;
        private final Path partial;
        private final FileLocks.Held lock;
        private FileChannel channel;
        private MessageDigest md;
        private long written;
        private OutputStream out;

        private PendingBlob(BlobStore store, Digest expected, long size, Path partial, FileLocks.Held lock)
                throws IOException {
            this.store = store;
            this.expected = expected;
            this.size = size;
            this.partial = partial;
            this.lock = lock;
            open(false);
        }

        private void open(boolean truncate) throws IOException {
            if (channel != null) {
                channel.close();
            }
            if (truncate) {
                Files.deleteIfExists(partial);
            }
            md = expected.newMessageDigest();
            channel = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.READ);
            written = channel.size();
            if (size >= 0 && written > size) {
                // Longer than the blob can be: not a prefix of it.
                open(true);
                return;
            }
            // Hash what an earlier attempt wrote, so the final check covers the whole blob.
            try (InputStream in = Files.newInputStream(partial)) {
                byte[] buffer = new byte[1 << 16];
                long left = written;
                int n;
                while (left > 0 && (n = in.read(buffer, 0, (int) Math.min(buffer.length, left))) > 0) {
                    md.update(buffer, 0, n);
                    left -= n;
                }
            }
            channel.position(written);
            OutputStream raw = Channels.newOutputStream(channel);
            out = new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    raw.write(b);
                    md.update((byte) b);
                    written++;
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    raw.write(b, off, len);
                    md.update(b, off, len);
                    written += len;
                }
            };
        }

        public Digest digest() {
            return expected;
        }

        /** Whether the blob was stored meanwhile (by another thread or process): nothing to write. */
        public boolean alreadyStored() {
            return store.contains(expected);
        }

        /** Bytes already written by an earlier attempt: ask the source for the rest from here. */
        public long resumeFrom() {
            return written;
        }

        /** Throws away the bytes written so far (the source cannot resume). */
        public void restart() throws IOException {
            open(true);
        }

        /** Where the blob's bytes go, appended after {@link #resumeFrom()}. */
        public OutputStream output() {
            return out;
        }

        public long written() {
            return written;
        }

        /**
         * Checks size and digest and moves the blob into place. On a mismatch the partial bytes are deleted
         * and a {@link BlobMismatchException} says what arrived.
         */
        public void commit() throws IOException {
            if (size >= 0 && written != size) {
                discard();
                throw new BlobMismatchException(expected, "expected " + size + " bytes, got " + written);
            }
            Digest actual = Digest.of(expected.algorithm(), md.digest());
            if (!actual.equals(expected)) {
                discard();
                throw new BlobMismatchException(expected, "its content has digest " + actual);
            }
            channel.force(true);
            channel.close();
            channel = null;
            Path target = store.path(expected);
            Files.createDirectories(target.getParent());
            AtomicFiles.moveIntoPlace(partial, target);
        }

        private void discard() throws IOException {
            channel.close();
            channel = null;
            Files.deleteIfExists(partial);
        }

        @Override
        public void close() {
            try {
                if (channel != null) {
                    channel.close();
                }
            } catch (IOException ignored) {
                // The partial file stays for a resume; the error that brought us here is the one to report.
            } finally {
                lock.close();
            }
        }
    }

    /** A blob's content is not what its digest or size says: it was not stored. */
    public static final class BlobMismatchException extends StoreException {
        private final Digest digest;

        public BlobMismatchException(Digest digest, String what) {
            super("blob " + digest + " failed verification: " + what + "; it was not stored");
            this.digest = digest;
        }

        public Digest digest() {
            return digest;
        }
    }
}
