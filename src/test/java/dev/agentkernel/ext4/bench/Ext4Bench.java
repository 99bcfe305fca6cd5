package dev.agentkernel.ext4.bench;

import dev.agentkernel.ext4.Ext4Entry;
import dev.agentkernel.ext4.Ext4Options;
import dev.agentkernel.ext4.Ext4Result;
import dev.agentkernel.ext4.Ext4Writer;
import dev.agentkernel.ext4.FileContent;
import dev.agentkernel.ext4.Timestamp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
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

    /**
     * Walks {@code source} and streams it into an image, as the converter does with a layer: contents go to
     * {@link Ext4Writer#writeContent} one after the other in walk order (so the image is deterministic), while
     * reader threads fetch the next files ahead, as the converter's decompression thread runs ahead.
     * Each entry is stat'ed once (a tar stream needs no stat at all: its headers carry the metadata).
     */
    static void write(Path source, Path image, long fixedSizeBytes) throws IOException {
        Ext4Options options = Ext4Options.builder().seed(source.toString().getBytes())
                .fixedSizeBytes(fixedSizeBytes).defaultTimestamp(Timestamp.ofSeconds(0)).build();
        long start = System.nanoTime();
        try (Ext4Writer w = Ext4Writer.create(image, options)) {
            Map<Object, String> seenInodes = new HashMap<>();
            double walkSeconds = TreeStream.stream(source, e -> add(w, e, seenInodes));
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
        TreeStream.stream(source, e -> {
            if (e.content() != null) {
                bytes[0] += e.content().remaining();
            } else if (e.found().isRegularFile()) {
                try (InputStream in = Files.newInputStream(e.found().file())) {
                    for (int n; (n = in.read(scratch)) > 0; ) {
                        bytes[0] += n;
                    }
                }
            }
        });
        System.err.printf("read %d bytes%n", bytes[0]);
    }

    private static void add(Ext4Writer w, TreeStream.Entry e, Map<Object, String> seenInodes) throws IOException {
        TreeStream.Found f = e.found();
        if (f.isDirectory()) {
            w.add(new Ext4Entry.Directory(f.path(), f.metadata()));
        } else if (f.isSymbolicLink()) {
            w.add(new Ext4Entry.Symlink(f.path(), f.metadata(), e.symlinkTarget()));
        } else if (f.isRegularFile()) {
            String first = f.fileKey() == null ? null : seenInodes.putIfAbsent(f.fileKey(), f.path());
            if (first != null) {
                w.add(new Ext4Entry.HardLink(f.path(), first));
                return;
            }
            w.add(new Ext4Entry.RegularFile(f.path(), f.metadata(), content(w, e)));
        }
    }

    /** A file's contents as read ahead; a larger file streamed from the disk. */
    private static FileContent content(Ext4Writer w, TreeStream.Entry e) throws IOException {
        if (e.content() != null) {
            return w.writeContent(e.content());
        }
        try (InputStream in = Files.newInputStream(e.found().file())) {
            return w.writeContent(in, e.found().size());
        }
    }
}
