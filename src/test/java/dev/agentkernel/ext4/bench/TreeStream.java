package dev.agentkernel.ext4.bench;

import dev.agentkernel.ext4.Metadata;
import dev.agentkernel.ext4.Timestamp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Walks a host directory and hands its entries, in walk order, to one consumer, with the contents of files up
 * to 4 MiB already read: what a layer's tar stream gives the rootfs converter. A walker thread stats the tree;
 * reader threads read it ahead in batches (many small files, or a few MiB, per batch), so the threads meet a few
 * hundred times rather than once per file: on a two-core VM each meeting can wake a halted CPU.
 */
final class TreeStream {
    /** A file, directory or symlink found by the walk, with what one stat of it told. */
    record Found(Path file, String path, int type, long size, Object fileKey, Metadata metadata) {
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

    /**
     * An entry as the consumer gets it: a regular file's contents (null for a file over 4 MiB, which the
     * consumer streams itself) or a symlink's target.
     */
    record Entry(Found found, ByteBuffer content, String symlinkTarget) {
    }

    interface Consumer {
        void accept(Entry entry) throws IOException;
    }

    private static final int S_IFMT = 0170000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFLNK = 0120000;
    private static final String UNIX_ATTRIBUTES =
            "unix:mode,ino,dev,nlink,uid,gid,size,lastModifiedTime,lastAccessTime,ctime";

    private static final int READERS = 2;
    private static final int BATCH_BYTES = 4 << 20;
    private static final int BATCH_ENTRIES = 64;
    private static final int BATCHES_AHEAD = 6;

    private TreeStream() {
    }

    /** Streams {@code root} into {@code consumer} on the calling thread; returns the seconds the walk took. */
    static double stream(Path root, Consumer consumer) throws IOException {
        ExecutorService readers = Executors.newFixedThreadPool(READERS);
        // one direct buffer per batch ahead, reused: the reads land outside the heap and the consumer can
        // write them without a copy
        BlockingQueue<ByteBuffer> buffers = new ArrayBlockingQueue<>(BATCHES_AHEAD);
        for (int i = 0; i < BATCHES_AHEAD; i++) {
            buffers.add(ByteBuffer.allocateDirect(BATCH_BYTES));
        }
        Walker walker = new Walker(root);
        walker.start();
        try {
            Deque<Future<List<Entry>>> ahead = new ArrayDeque<>();
            Deque<ByteBuffer> inUse = new ArrayDeque<>();
            while (true) {
                while (ahead.size() < BATCHES_AHEAD) { // a buffer is free for each batch not ahead
                    List<Found> batch = walker.nextBatch(ahead.isEmpty());
                    if (batch.isEmpty()) {
                        break;
                    }
                    ByteBuffer buffer = buffers.remove().clear();
                    inUse.add(buffer);
                    ahead.add(readers.submit(() -> read(batch, buffer)));
                }
                if (ahead.isEmpty()) {
                    return walker.seconds();
                }
                for (Entry e : get(ahead.remove())) {
                    consumer.accept(e);
                }
                buffers.add(inUse.remove());
            }
        } finally {
            readers.shutdownNow();
            walker.interrupt();
        }
    }

    /** Reads a batch's file contents one after the other into {@code buffer}, and its symlinks' targets. */
    private static List<Entry> read(List<Found> batch, ByteBuffer buffer) throws IOException {
        List<Entry> entries = new ArrayList<>(batch.size());
        for (Found f : batch) {
            if (f.isSymbolicLink()) {
                entries.add(new Entry(f, null, Files.readSymbolicLink(f.file()).toString()));
            } else if (f.isRegularFile() && f.size() <= BATCH_BYTES) {
                int start = buffer.position();
                buffer.limit(start + (int) f.size());
                try (FileChannel in = FileChannel.open(f.file())) {
                    while (buffer.hasRemaining() && in.read(buffer) >= 0) {
                        // reads until the stat'ed size or the end
                    }
                }
                entries.add(new Entry(f, buffer.slice(start, buffer.position() - start), null));
                buffer.limit(buffer.capacity());
            } else {
                entries.add(new Entry(f, null, null));
            }
        }
        return entries;
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

    /** Walks the tree depth first on its own thread; {@link #nextBatch} gives the entries in order. */
    private static final class Walker extends Thread {
        private static final Found END = new Found(null, null, 0, 0, null, null);
        private final Path root;
        private final int rootLength;
        private final BlockingQueue<Found> queue = new LinkedBlockingQueue<>();
        private volatile Throwable failure;
        private volatile double seconds;
        private boolean ended;
        /** Taken from the queue, but it did not fit in the last batch. */
        private Found held;

        Walker(Path root) {
            super("walk " + root);
            this.root = root;
            this.rootLength = root.toString().length() + (root.toString().endsWith("/") ? 0 : 1);
            setDaemon(true);
        }

        @Override
        public void run() {
            long start = System.nanoTime();
            try {
                walk(root);
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

        /**
         * The next entries found, up to a batch (whose files fit in one buffer); empty at the end of the walk, or
         * when the walk has nothing new yet and {@code wait} is false.
         */
        List<Found> nextBatch(boolean wait) throws IOException {
            List<Found> batch = new ArrayList<>();
            long bytes = 0;
            while (batch.size() < BATCH_ENTRIES) {
                Found f = next(wait && batch.isEmpty());
                if (f == null) {
                    break;
                }
                long size = f.isRegularFile() && f.size() <= BATCH_BYTES ? f.size() : 0;
                if (bytes + size > BATCH_BYTES) {
                    held = f;
                    break;
                }
                bytes += size;
                batch.add(f);
            }
            return batch;
        }

        private Found next(boolean wait) throws IOException {
            if (held != null) {
                Found f = held;
                held = null;
                return f;
            }
            if (ended) {
                return null;
            }
            Found f;
            try {
                f = wait ? queue.take() : queue.poll();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            if (f != END) {
                return f;
            }
            ended = true;
            if (failure != null) {
                throw new IOException("walking " + root + " failed", failure);
            }
            return null;
        }

        private void walk(Path p) throws IOException {
            Map<String, Object> a = Files.readAttributes(p, UNIX_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
            int mode = (Integer) a.get("mode");
            Metadata metadata = new Metadata(mode & 07777, (Integer) a.get("uid"), (Integer) a.get("gid"),
                    time(a.get("lastAccessTime")), time(a.get("lastModifiedTime")), time(a.get("ctime")), Map.of());
            // only a file with more than one link can meet itself again as a hard link
            Object fileKey = (Integer) a.get("nlink") > 1 ? List.of(a.get("dev"), a.get("ino")) : null;
            // the path below the root, cut from the path's string (a walked path starts with the root's)
            String path = p.toString();
            String relative = path.length() < rootLength ? "" : path.substring(rootLength);
            Found f = new Found(p, relative, mode & S_IFMT, (Long) a.get("size"), fileKey, metadata);
            queue.add(f);
            if (f.isDirectory()) {
                try (DirectoryStream<Path> children = Files.newDirectoryStream(p)) {
                    for (Path child : children) {
                        walk(child);
                    }
                }
            }
        }

        private static Timestamp time(Object fileTime) {
            java.time.Instant i = ((FileTime) fileTime).toInstant();
            return new Timestamp(i.getEpochSecond(), i.getNano());
        }
    }
}
