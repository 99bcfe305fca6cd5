package dev.agentkernel.ext4.bench;

import dev.agentkernel.ext4.Ext4Entry;
import dev.agentkernel.ext4.Ext4Options;
import dev.agentkernel.ext4.Ext4Result;
import dev.agentkernel.ext4.Ext4Writer;
import dev.agentkernel.ext4.Metadata;
import dev.agentkernel.ext4.Timestamp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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

    /** A file or directory found by the walk, in walk order. */
    private record Found(Path file, String path, BasicFileAttributes attrs) {
    }

    /**
     * Walks {@code source} and streams it into an image, as the converter does with a layer: contents go to
     * {@link Ext4Writer#writeContent} one after the other in walk order (so the image is deterministic), while
     * reader threads fetch the next small files ahead, as the converter's decompression thread runs ahead.
     */
    static void write(Path source, Path image, long fixedSizeBytes) throws IOException {
        Ext4Options options = Ext4Options.builder().seed(source.toString().getBytes())
                .fixedSizeBytes(fixedSizeBytes).defaultTimestamp(Timestamp.ofSeconds(0)).build();
        long start = System.nanoTime();
        List<Found> found = new ArrayList<>();
        Files.walkFileTree(source, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                found.add(new Found(dir, relative(source, dir), attrs));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                found.add(new Found(file, relative(source, file), attrs));
                return FileVisitResult.CONTINUE;
            }
        });
        ExecutorService readers = Executors.newFixedThreadPool(3);
        try (Ext4Writer w = Ext4Writer.create(image, options)) {
            List<Future<Prefetched>> ahead = new ArrayList<>();
            int next = 0;
            Map<Object, String> seenInodes = new HashMap<>();
            for (int i = 0; i < found.size(); i++) {
                while (next < found.size() && next < i + PREFETCH) {
                    Found f = found.get(next++);
                    ahead.add(readers.submit(() -> prefetch(f)));
                }
                Prefetched p = get(ahead.get(i));
                ahead.set(i, null);
                add(w, found.get(i), p, seenInodes);
            }
            long walked = System.nanoTime();
            Ext4Result result = w.finish();
            System.err.printf("walk and stream %.2f s, finish %.2f s: %s%n", (walked - start) / 1e9,
                    (System.nanoTime() - walked) / 1e9, result);
        } finally {
            readers.shutdownNow();
        }
    }

    private static final int PREFETCH = 64;
    private static final long PREFETCH_MAX_FILE = 256 << 10; // larger files stream straight from disk

    /** Metadata and, for small regular files, the bytes. */
    private record Prefetched(Metadata metadata, byte[] bytes) {
    }

    private static Prefetched prefetch(Found f) throws IOException {
        BasicFileAttributes a = f.attrs();
        byte[] bytes = a.isRegularFile() && a.size() <= PREFETCH_MAX_FILE ? Files.readAllBytes(f.file()) : null;
        return new Prefetched(metadata(f.file()), bytes);
    }

    private static void add(Ext4Writer w, Found f, Prefetched p, Map<Object, String> seenInodes) throws IOException {
        BasicFileAttributes attrs = f.attrs();
        if (attrs.isDirectory()) {
            w.add(new Ext4Entry.Directory(f.path(), p.metadata()));
        } else if (attrs.isSymbolicLink()) {
            w.add(new Ext4Entry.Symlink(f.path(), p.metadata(), Files.readSymbolicLink(f.file()).toString()));
        } else if (attrs.isRegularFile()) {
            String first = seenInodes.putIfAbsent(attrs.fileKey(), f.path());
            if (first != null) {
                w.add(new Ext4Entry.HardLink(f.path(), first));
                return;
            }
            try (InputStream in = p.bytes() != null ? new ByteArrayInputStream(p.bytes()) : Files.newInputStream(f.file())) {
                w.add(new Ext4Entry.RegularFile(f.path(), p.metadata(), w.writeContent(in, attrs.size())));
            }
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

    private static String relative(Path root, Path p) {
        return root.relativize(p).toString();
    }

    private static Metadata metadata(Path p) throws IOException {
        Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,lastModifiedTime,lastAccessTime,ctime",
                LinkOption.NOFOLLOW_LINKS);
        return new Metadata((Integer) a.get("mode") & 07777, (Integer) a.get("uid"), (Integer) a.get("gid"),
                time(a.get("lastAccessTime")), time(a.get("lastModifiedTime")), time(a.get("ctime")), Map.of());
    }

    private static Timestamp time(Object fileTime) {
        java.time.Instant i = ((FileTime) fileTime).toInstant();
        return new Timestamp(i.getEpochSecond(), i.getNano());
    }
}
