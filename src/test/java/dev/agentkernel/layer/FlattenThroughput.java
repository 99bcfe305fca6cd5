package dev.agentkernel.layer;

import dev.agentkernel.testing.SyntheticImage;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Measures decompress + flatten on the synthetic benchmark image ({@link SyntheticImage}: 3 gzip layers,
 * ~28,000 entries, ~500 MB) against inflating the same layers alone on one thread, the floor any
 * single-threaded converter pays. Content goes to one file, as the ext4 writer streams it into data blocks.
 * Three rounds in one JVM (the first one cold). Not a test; run it with
 * <pre>
 * mvn -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp target/classes:target/test-classes:$(cat target/cp.txt) dev.agentkernel.layer.FlattenThroughput [DIR [ROUNDS]]
 * </pre>
 * (DIR keeps the generated image between runs, default /tmp/agentkernel-flatten-bench; a second argument sets the
 * number of rounds, 3 by default).
 */
public final class FlattenThroughput {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "/tmp/agentkernel-flatten-bench");
        List<Path> blobs = List.of(dir.resolve("layer1.tar.gz"), dir.resolve("layer2.tar.gz"), dir.resolve("layer3.tar.gz"));
        if (!blobs.stream().allMatch(Files::exists)) {
            System.err.println("generating the synthetic image in " + dir + " ...");
            SyntheticImage.write(dir);
        }
        long compressed = 0;
        for (Path b : blobs) {
            compressed += Files.size(b);
        }
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        for (int round = 0; round < rounds; round++) {
            long[] inflate = measure(() -> inflateOnly(blobs));
            Path out = dir.resolve("content.bin");
            long[] flatten = measure(() -> flattenInto(blobs, out));
            System.out.printf("round %d: compressed %d MB, uncompressed %d MB%n", round, compressed >> 20, inflate[2] >> 20);
            System.out.printf("  inflate only, 1 thread : wall %5d ms, cpu %5d ms%n", inflate[0], inflate[1]);
            System.out.printf("  flatten to file        : wall %5d ms, cpu %5d ms, stored %d MB (ratio wall %.2f)%n",
                    flatten[0], flatten[1], flatten[2] >> 20, (double) flatten[0] / inflate[0]);
            Files.deleteIfExists(out);
        }
    }

    private interface Job {
        long run() throws Exception;
    }

    private static long[] measure(Job job) throws Exception {
        long cpu0 = processCpuNanos();
        long t0 = System.nanoTime();
        long bytes = job.run();
        return new long[]{(System.nanoTime() - t0) / 1_000_000, (processCpuNanos() - cpu0) / 1_000_000, bytes};
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static long inflateOnly(List<Path> blobs) throws IOException {
        long total = 0;
        byte[] buffer = new byte[1 << 16];
        for (Path b : blobs) {
            try (InputStream in = new GZIPInputStream(Files.newInputStream(b), 1 << 16)) {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    total += n;
                }
            }
        }
        return total;
    }

    /** Flattens into one data file, as the ext4 writer streams content into data blocks. */
    private static long flattenInto(List<Path> blobs, Path out) throws IOException {
        List<LayerSource> layers = new ArrayList<>();
        for (int i = 0; i < blobs.size(); i++) {
            Path blob = blobs.get(i);
            layers.add(new LayerSource("layer " + (i + 1), "application/vnd.oci.image.layer.v1.tar+gzip",
                    () -> Files.newInputStream(blob)));
        }
        try (FileChannel channel = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            FileSink sink = new FileSink(channel);
            FlatTree tree = Flattener.flatten(layers, sink);
            System.out.printf("  %d entries, %d MB discarded%n", tree.entries().size(), tree.discardedBytes() >> 20);
            return tree.storedBytes();
        }
    }

    private record Ref(long offset, long length) implements ContentRef {
    }

    private static final class FileSink implements ContentSink {
        private final FileChannel channel;
        private final ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
        private long position;

        FileSink(FileChannel channel) {
            this.channel = channel;
        }

        @Override
        public ContentRef store(InputStream in, long length) throws IOException {
            long start = position;
            long left = length;
            while (left > 0) {
                buffer.clear();
                int n = in.read(buffer.array(), 0, (int) Math.min(buffer.capacity(), left));
                if (n < 0) {
                    throw new IOException("short content");
                }
                buffer.limit(n);
                while (buffer.hasRemaining()) {
                    position += channel.write(buffer, position);
                }
                left -= n;
            }
            position = (position + 4095) & ~4095L;
            return new Ref(start, length);
        }

        @Override
        public void discard(ContentRef ref) throws IOException {
            Ref r = (Ref) ref;
            channel.write(ByteBuffer.allocate((int) r.length()), r.offset());
        }
    }
}
