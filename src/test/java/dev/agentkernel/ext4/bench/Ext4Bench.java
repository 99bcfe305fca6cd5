package dev.agentkernel.ext4.bench;

import dev.agentkernel.ext4.Ext4Entry;
import dev.agentkernel.ext4.Ext4Options;
import dev.agentkernel.ext4.Ext4Result;
import dev.agentkernel.ext4.Ext4Writer;
import dev.agentkernel.ext4.FileContent;
import dev.agentkernel.ext4.Metadata;
import dev.agentkernel.ext4.Timestamp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The benchmark driver behind scripts/bench-ext4 (not a test): generates the benchmark trees, and writes a
 * host directory into an ext4 image with {@link Ext4Writer}, the way the rootfs converter streams a layer.
 */
public final class Ext4Bench {
    private Ext4Bench() {
    }

    public static void main(String[] args) throws IOException {
        switch (args[0]) {
            case "generate-tree" -> generateTree(Path.of(args[1]));
            case "generate-bigdir" -> generateBigDirectory(Path.of(args[1]));
            case "generate-bigfile" -> generateBigFile(Path.of(args[1]), Long.parseLong(args[2]));
            case "write" -> write(Path.of(args[1]), Path.of(args[2]), args.length > 3 ? Long.parseLong(args[3]) : 0);
            case "read" -> readOnly(Path.of(args[1]));
            default -> throw new IllegalArgumentException("unknown command " + args[0]);
        }
    }

    /** About 30,000 files and 500 MB in 1,500 directories: many small files, some medium, a few large. */
    static void generateTree(Path root) throws IOException {
        Random random = new Random(1);
        byte[] chunk = new byte[1 << 20];
        random.nextBytes(chunk);
        for (int i = 0; i < 30_000; i++) {
            Path dir = root.resolve("d" + (i % 50)).resolve("s" + (i % 1500));
            Files.createDirectories(dir);
            long size = i % 100 == 0 ? 1_200_000 : i % 10 == 0 ? 40_000 : random.nextInt(1600);
            writeBytes(dir.resolve("file-" + i + ".dat"), size, chunk, i);
            if (i % 30 == 0) {
                Files.createSymbolicLink(dir.resolve("link-" + i), Path.of("file-" + i + ".dat"));
            }
        }
    }

    /** One directory of 20,000 small files. */
    static void generateBigDirectory(Path root) throws IOException {
        Path dir = root.resolve("big");
        Files.createDirectories(dir);
        byte[] chunk = new byte[4096];
        new Random(2).nextBytes(chunk);
        for (int i = 0; i < 20_000; i++) {
            writeBytes(dir.resolve("entry-number-" + i), 100, chunk, i);
        }
    }

    static void generateBigFile(Path root, long bytes) throws IOException {
        Files.createDirectories(root);
        byte[] chunk = new byte[1 << 20];
        new Random(3).nextBytes(chunk);
        writeBytes(root.resolve("big.bin"), bytes, chunk, 0);
    }

    private static void writeBytes(Path file, long size, byte[] chunk, int salt) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            long left = size;
            int offset = (salt * 7919) % (chunk.length / 2);
            while (left > 0) {
                int n = (int) Math.min(left, chunk.length - offset);
                out.write(chunk, offset, n);
                left -= n;
                offset = 0;
            }
        }
    }

    /** A file, directory or symlink found by the walk, in walk order, with what one stat of it told. */
    private record Found(Path file, String path, int type, long size, Object fileKey, Metadata metadata) {
        boolean isDirectory() {
            return type == S_IFDIR;
        }

        boolean isRegularFile() {
            return type == S_IFREG;
        }

        boolean isSymbolicLink() {
            return type == S_IFLNK;
        }
    }

    private static final int S_IFMT = 0170000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFLNK = 0120000;
    private static final String UNIX_ATTRIBUTES =
            "unix:mode,ino,dev,nlink,uid,gid,size,lastModifiedTime,lastAccessTime,ctime";

    /**
     * Walks {@code source} and streams it into an image, as the converter does with a layer: contents go to
     * {@link Ext4Writer#writeContent} one after the other in walk order (so the image is deterministic), while
     * reader threads fetch the next small files ahead, as the converter's decompression thread runs ahead.
     * Each entry is stat'ed once (a tar stream needs no stat at all: its headers carry the metadata).
     */
    static void write(Path source, Path image, long fixedSizeBytes) throws IOException {
        Ext4Options options = Ext4Options.builder().seed(source.toString().getBytes())
                .fixedSizeBytes(fixedSizeBytes).defaultTimestamp(Timestamp.ofSeconds(0)).build();
        long start = System.nanoTime();
        try (Ext4Writer w = Ext4Writer.create(image, options)) {
            Map<Object, String> seenInodes = new HashMap<>();
            double walkSeconds = stream(source, (f, p) -> add(w, f, p, seenInodes));
            long streamed = System.nanoTime();
            Ext4Result result = w.finish();
            System.err.printf("walk and stream %.2f s (walk alone %.2f s), finish %.2f s: %s%n",
                    (streamed - start) / 1e9, walkSeconds, (System.nanoTime() - streamed) / 1e9, result);
        }
    }

    /**
     * The same walk and reading as {@link #write}, with every byte read and dropped instead of written: what
     * reading the source tree costs this driver, apart from the writer.
     */
    static void readOnly(Path source) throws IOException {
        byte[] scratch = new byte[1 << 20];
        long[] bytes = new long[1];
        stream(source, (f, p) -> {
            if (f.isRegularFile() && p.buffer() == null) {
                try (InputStream in = Files.newInputStream(f.file())) {
                    for (int n; (n = in.read(scratch)) > 0; ) {
                        bytes[0] += n;
                    }
                }
            } else {
                bytes[0] += p.length();
            }
        });
        System.err.printf("read %d bytes%n", bytes[0]);
    }

    /** What the stream does with each entry, in walk order, given its prefetched bytes (if any). */
    private interface EntrySink {
        void accept(Found f, Prefetched p) throws IOException;
    }

    /** Walks and prefetches {@code source}, handing each entry to {@code sink} in walk order; returns walk seconds. */
    private static double stream(Path source, EntrySink sink) throws IOException {
        ExecutorService readers = Executors.newFixedThreadPool(3);
        Buffers buffers = new Buffers();
        // The walk runs on a thread of its own and hands entries over in walk order, so stat'ing the tree
        // overlaps with streaming it (mke2fs -d, too, reads each directory as it copies it).
        Walker walker = new Walker(source);
        walker.start();
        try {
            Deque<Future<Prefetched>> ahead = new ArrayDeque<>();
            Deque<Found> window = new ArrayDeque<>();
            Found next = null; // found, but waiting for a buffer that an entry in the window still holds
            while (true) {
                while (window.size() < PREFETCH) {
                    Found f = next != null ? next : window.isEmpty() ? walker.take() : walker.poll();
                    if (f == null) {
                        break;
                    }
                    ByteBuffer buffer = buffers.poll(f);
                    if (buffer == null && prefetched(f)) {
                        next = f; // every buffer of its size is ahead in the window: write those first
                        break;
                    }
                    next = null;
                    window.add(f);
                    ahead.add(readers.submit(() -> prefetch(f, buffer, buffers)));
                }
                if (window.isEmpty()) {
                    return walker.seconds();
                }
                Prefetched p = get(ahead.remove());
                sink.accept(window.remove(), p);
                buffers.release(p.buffer());
            }
        } finally {
            readers.shutdownNow();
            walker.interrupt();
        }
    }

    /** Walks the tree depth first on its own thread; {@link #take}/{@link #poll} give the entries in order. */
    private static final class Walker extends Thread {
        private static final Found END = new Found(null, null, 0, 0, null, null);
        private final Path root;
        private final BlockingQueue<Found> queue = new LinkedBlockingQueue<>();
        private volatile Throwable failure;
        private volatile double seconds;
        private boolean ended;

        Walker(Path root) {
            super("walk " + root);
            this.root = root;
            setDaemon(true);
        }

        @Override
        public void run() {
            long start = System.nanoTime();
            try {
                walk(root, root, queue);
            } catch (Throwable t) {
                failure = t;
            } finally {
                seconds = (System.nanoTime() - start) / 1e9;
                queue.add(END);
            }
        }

        double seconds() {
            return seconds;
        }

        /** The next entry, waiting for the walk; null at the end. */
        Found take() throws IOException {
            try {
                return checked(ended ? END : queue.take());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }

        /** The next entry if the walk has already found it, else null. */
        Found poll() throws IOException {
            return ended ? null : checked(queue.poll());
        }

        private Found checked(Found f) throws IOException {
            if (f != END) {
                return f;
            }
            ended = true;
            if (failure != null) {
                throw new IOException("walking " + root + " failed", failure);
            }
            return null;
        }
    }

    private static final int PREFETCH = 64;
    private static final int SMALL_FILE = 256 << 10;
    private static final int LARGE_FILE = 4 << 20; // larger files stream straight from disk
    private static final int LARGE_BUFFERS = 4;

    /**
     * Pooled direct buffers for prefetched contents, returned after the write: as a decompressor's buffers are
     * reused, the driver's own garbage does not drive the collector, and direct buffers go from the read to the
     * write without a copy through the heap. One per file ahead for small files, a few for files up to 4 MiB.
     */
    private static final class Buffers {
        private final BlockingQueue<ByteBuffer> small = new ArrayBlockingQueue<>(PREFETCH);
        private final BlockingQueue<ByteBuffer> large = new ArrayBlockingQueue<>(LARGE_BUFFERS);

        Buffers() {
            for (int i = 0; i < PREFETCH; i++) {
                small.add(ByteBuffer.allocateDirect(SMALL_FILE));
            }
            for (int i = 0; i < LARGE_BUFFERS; i++) {
                large.add(ByteBuffer.allocateDirect(LARGE_FILE));
            }
        }

        /** A free buffer for the file's contents if it is prefetched, else null. */
        ByteBuffer poll(Found f) {
            if (!prefetched(f)) {
                return null;
            }
            ByteBuffer buffer = (f.size() <= SMALL_FILE ? small : large).poll();
            return buffer == null ? null : buffer.clear();
        }

        void release(ByteBuffer buffer) {
            if (buffer != null) {
                (buffer.capacity() == SMALL_FILE ? small : large).add(buffer);
            }
        }
    }

    /** Metadata and, for regular files up to 4 MiB, the bytes in a pooled buffer (flipped, ready to write). */
    private record Prefetched(ByteBuffer buffer) {
        long length() {
            return buffer == null ? 0 : buffer.remaining();
        }
    }

    /** Regular files up to 4 MiB are read ahead by the reader threads; larger ones stream on the writing thread. */
    private static boolean prefetched(Found f) {
        return f.isRegularFile() && f.size() <= LARGE_FILE;
    }

    private static Prefetched prefetch(Found f, ByteBuffer buffer, Buffers buffers) throws IOException {
        if (buffer == null) {
            return new Prefetched(null);
        }
        try (FileChannel in = FileChannel.open(f.file())) {
            buffer.limit((int) f.size());
            while (buffer.hasRemaining() && in.read(buffer) >= 0) {
                // reads until the stat'ed size or the end
            }
            return new Prefetched(buffer.flip());
        } catch (IOException | RuntimeException e) {
            buffers.release(buffer);
            throw e;
        }
    }

    private static void add(Ext4Writer w, Found f, Prefetched p, Map<Object, String> seenInodes) throws IOException {
        if (f.isDirectory()) {
            w.add(new Ext4Entry.Directory(f.path(), f.metadata()));
        } else if (f.isSymbolicLink()) {
            w.add(new Ext4Entry.Symlink(f.path(), f.metadata(), Files.readSymbolicLink(f.file()).toString()));
        } else if (f.isRegularFile()) {
            String first = f.fileKey() == null ? null : seenInodes.putIfAbsent(f.fileKey(), f.path());
            if (first != null) {
                w.add(new Ext4Entry.HardLink(f.path(), first));
                return;
            }
            w.add(new Ext4Entry.RegularFile(f.path(), f.metadata(), content(w, f, p)));
        }
    }

    /** A prefetched file from its pooled buffer; a larger one streamed from the disk. */
    private static FileContent content(Ext4Writer w, Found f, Prefetched p) throws IOException {
        if (p.buffer() != null) {
            return w.writeContent(p.buffer());
        }
        try (InputStream in = Files.newInputStream(f.file())) {
            return w.writeContent(in, f.size());
        }
    }

    private static <T> T get(Future<T> future) throws IOException {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } catch (ExecutionException e) {
            throw new IOException(e.getCause());
        }
    }

    private static void walk(Path root, Path p, BlockingQueue<Found> found) throws IOException {
        Map<String, Object> a = Files.readAttributes(p, UNIX_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) a.get("mode");
        Metadata metadata = new Metadata(mode & 07777, (Integer) a.get("uid"), (Integer) a.get("gid"),
                time(a.get("lastAccessTime")), time(a.get("lastModifiedTime")), time(a.get("ctime")), Map.of());
        // only a file with more than one link can meet itself again as a hard link
        Object fileKey = (Integer) a.get("nlink") > 1 ? List.of(a.get("dev"), a.get("ino")) : null;
        Found f = new Found(p, relative(root, p), mode & S_IFMT, (Long) a.get("size"), fileKey, metadata);
        found.add(f);
        if (f.isDirectory()) {
            try (DirectoryStream<Path> children = Files.newDirectoryStream(p)) {
                for (Path child : children) {
                    walk(root, child, found);
                }
            }
        }
    }

    /** The path below the root, '/'-separated: cut from the path's string (a walked path starts with the root's). */
    private static String relative(Path root, Path p) {
        String path = p.toString();
        int rootLength = root.toString().length();
        return path.length() == rootLength ? "" : path.substring(rootLength + (root.toString().endsWith("/") ? 0 : 1));
    }

    private static Timestamp time(Object fileTime) {
        java.time.Instant i = ((FileTime) fileTime).toInstant();
        return new Timestamp(i.getEpochSecond(), i.getNano());
    }
}
