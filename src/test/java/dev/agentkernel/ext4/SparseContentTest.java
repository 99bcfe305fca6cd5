package dev.agentkernel.ext4;

import dev.agentkernel.testing.Ext4Check;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link Ext4Writer#writeSparseContent}: the same image, byte for byte, as the expanded content written with
 * {@link Ext4Writer#writeContent(java.io.InputStream, long)}, for random maps (segments inside one block,
 * across block and chunk edges, adjacent ones), and a file of a tebibyte costs only its data.
 */
class SparseContentTest {
    static final Timestamp T = Timestamp.ofSeconds(1_700_000_000L);

    @TempDir
    Path dir;

    @Test
    void sparseAndExpandedWritesGiveIdenticalImages() throws Exception {
        SplittableRandom random = new SplittableRandom(16);
        for (int round = 0; round < 40; round++) {
            long size = 1 + random.nextLong(round < 20 ? 64 << 10 : 6 << 20);
            List<long[]> segments = new ArrayList<>();
            ByteArrayOutputStream data = new ByteArrayOutputStream();
            long at = random.nextInt(3) == 0 ? 0 : random.nextLong(size);
            while (at < size && segments.size() < 30) {
                long length = Math.min(size - at, random.nextInt(4) == 0 ? random.nextLong(3 << 20) : 1 + random.nextInt(5000));
                segments.add(new long[]{at, length});
                for (long i = 0; i < length; i++) {
                    data.write(random.nextInt(8) == 0 ? 0 : 1 + random.nextInt(255)); // zero bytes in data too
                }
                at += length + (random.nextBoolean() ? 0 : random.nextLong(1 << 20));
            }
            byte[] expanded = new byte[(int) size];
            byte[] bytes = data.toByteArray();
            int from = 0;
            for (long[] s : segments) {
                System.arraycopy(bytes, from, expanded, (int) s[0], (int) s[1]);
                from += (int) s[1];
            }
            Path sparse = dir.resolve("sparse-" + round);
            Path plain = dir.resolve("plain-" + round);
            try (Ext4Writer w = Ext4Writer.create(sparse, options())) {
                w.add(new Ext4Entry.RegularFile("f", Metadata.of(0644, 0, 0, T),
                        w.writeSparseContent(new ByteArrayInputStream(bytes), size, segments)));
                w.finish();
            }
            try (Ext4Writer w = Ext4Writer.create(plain, options())) {
                w.add(new Ext4Entry.RegularFile("f", Metadata.of(0644, 0, 0, T),
                        w.writeContent(new ByteArrayInputStream(expanded), size)));
                w.finish();
            }
            assertThat(Files.mismatch(sparse, plain)).as("round " + round + ", size " + size).isEqualTo(-1);
            Files.delete(sparse);
            Files.delete(plain);
        }
    }

    @Test
    void aTebibyteFileCostsItsData() throws Exception {
        Path image = dir.resolve("big.img");
        long started = System.nanoTime();
        try (Ext4Writer w = Ext4Writer.create(image, options())) {
            long size = 1L << 40;
            List<long[]> segments = List.of(new long[]{0, 3}, new long[]{size / 2, 3}, new long[]{size - 3, 3});
            w.add(new Ext4Entry.RegularFile("f", Metadata.of(0644, 0, 0, T),
                    w.writeSparseContent(new ByteArrayInputStream("abcdefghi".getBytes()), size, segments)));
            w.finish();
        }
        assertThat((System.nanoTime() - started) / 1e9).isLessThan(2);
        Ext4Check.assertClean(image);
    }

    @Test
    void badMapsAndSizesAreRefused() throws Exception {
        try (Ext4Writer w = Ext4Writer.create(dir.resolve("x.img"), options())) {
            assertThatThrownBy(() -> w.writeSparseContent(new ByteArrayInputStream(new byte[4]), 10,
                    List.of(new long[]{4, 2}, new long[]{3, 2}))).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> w.writeSparseContent(new ByteArrayInputStream(new byte[4]), 10,
                    List.of(new long[]{Long.MAX_VALUE - 1, 4}))).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> w.writeSparseContent(new ByteArrayInputStream(new byte[4]), 1L << 50,
                    List.of())).isInstanceOf(Ext4Exception.class).hasMessageContaining("larger than ext4 can hold");
            assertThatThrownBy(() -> w.writeSparseContent(new ByteArrayInputStream(new byte[1]), 10,
                    List.of(new long[]{0, 4}))).isInstanceOf(Ext4Exception.class).hasMessageContaining("ended early");
        }
    }

    private static Ext4Options options() {
        return Ext4Options.builder().seed("sha256:sparse".getBytes()).defaultTimestamp(T).build();
    }
}
