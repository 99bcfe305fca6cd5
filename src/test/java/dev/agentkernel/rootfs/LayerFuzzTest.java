package dev.agentkernel.rootfs;

import dev.agentkernel.errors.AgentkernelException;
import dev.agentkernel.image.source.SourceSpec;
import dev.agentkernel.store.AgentkernelHome;
import dev.agentkernel.testing.Ext4Check;
import dev.agentkernel.testing.OciLayoutWriter;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fuzz suite: {@value #DEFAULT_CASES} malformed images from {@link MalformedLayerGenerator}, each converted
 * in-process by the real converter (OCI layout source, flattener, ext4 writer). For every case: accepted (and,
 * for one accepted case in {@value #CHECK_EVERY}, e2fsck-clean), or refused with the project's own
 * {@link AgentkernelException}; under {@value #MAX_SECONDS} s; no file left in the output directory or the data
 * directory. Over the run: no thread left, heap after collection bounded. A failure names the seed and case;
 * {@code -Dfuzz.seed=S -Dfuzz.from=N -Dfuzz.cases=1} runs that case alone.
 */
@Tag("fuzz")
class LayerFuzzTest {
    static final int DEFAULT_CASES = 10_000;
    static final long DEFAULT_SEED = 20_261_207L;
    static final int CHECK_EVERY = 40;
    static final double MAX_SECONDS = 5;
    /** Heap in use after a collection may grow by at most this over the run (the converter keeps nothing). */
    static final long MAX_HEAP_GROWTH = 64L << 20;

    @TempDir
    Path fallbackDir;

    @Test
    void malformedLayersAreConvertedCleanlyOrRefusedWithOneError() throws Exception {
        long seed = Long.getLong("fuzz.seed", DEFAULT_SEED);
        int from = Integer.getInteger("fuzz.from", 0);
        int cases = Integer.getInteger("fuzz.cases", DEFAULT_CASES);
        Path work = workDirectory();
        try {
            run(new MalformedLayerGenerator(seed), from, cases, work);
        } finally {
            deleteTree(work);
        }
    }

    private void run(MalformedLayerGenerator generator, int from, int cases, Path work) throws Exception {
        Path home = work.resolve("home");
        Path out = Files.createDirectories(work.resolve("out"));
        RootfsConverter converter = new RootfsConverter(AgentkernelHome.at(home));
        Map<MalformedLayerGenerator.Kind, int[]> tally = new EnumMap<>(MalformedLayerGenerator.Kind.class);
        int threadsBefore = -1;
        long heapBefore = -1;
        int checked = 0;
        double slowest = 0;
        String slowestCase = "";
        long started = System.nanoTime();
        for (int i = from; i < from + cases; i++) {
            if (i == from + Math.min(200, cases / 10)) { // after a warm-up: JDK pools and caches started
                threadsBefore = liveThreads();
                heapBefore = heapAfterGc();
            }
            MalformedLayerGenerator.Case c = generator.generate(i);
            Path layout = work.resolve("layout");
            OciLayoutWriter.Written written = OciLayoutWriter.write(layout, "v1", c.layers());
            if (c.after() == MalformedLayerGenerator.AfterWrite.CORRUPT_FIRST_BLOB) {
                Path blob = written.blob(written.layers().get(0));
                byte[] bytes = Files.readAllBytes(blob);
                bytes[bytes.length / 2] ^= 1;
                Files.write(blob, bytes);
            }
            Path target = out.resolve("rootfs.ext4");
            long t0 = System.nanoTime();
            boolean accepted;
            try {
                converter.convert(SourceSpec.parse("oci:" + layout), options().withOutput(target));
                accepted = true;
            } catch (AgentkernelException expected) {
                accepted = false;
                assertThat(expected.getMessage()).as(c + ": the message").isNotBlank().doesNotContain("internal error");
                assertThat(expected.getMessage().length()).as(c + ": the message's length").isLessThan(1000);
                if (Boolean.getBoolean("fuzz.verbose")) {
                    System.out.println(c + ": " + expected.getMessage());
                }
            } catch (Throwable t) {
                throw new AssertionError(c + " threw " + t + " instead of the project's own error; reproduce with "
                        + "-Dfuzz.seed=" + c.seed() + " -Dfuzz.from=" + c.index() + " -Dfuzz.cases=1\n" + trace(t), t);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (seconds > slowest) {
                slowest = seconds;
                slowestCase = c.toString();
            }
            assertThat(seconds).as(c + ": seconds").isLessThan(MAX_SECONDS);
            tally.computeIfAbsent(c.kind(), k -> new int[2])[accepted ? 0 : 1]++;
            if (accepted) {
                if (++checked % CHECK_EVERY == 1) {
                    try {
                        Ext4Check.assertClean(target);
                    } catch (AssertionError e) {
                        throw new AssertionError(c + ": accepted but not e2fsck-clean: " + e.getMessage(), e);
                    }
                }
                Files.delete(target);
            }
            assertThat(list(out)).as(c + ": files left in the output directory").isEmpty();
            assertThat(list(home.resolve("tmp"))).as(c + ": files left in the data directory's tmp").isEmpty();
            assertThat(list(home.resolve("rootfs"))).as(c + ": files left in the rootfs cache").isEmpty();
            deleteTree(layout);
        }
        double total = (System.nanoTime() - started) / 1e9;
        Thread.sleep(200);
        if (threadsBefore >= 0) {
            assertThat(liveThreads()).as("threads after " + cases + " cases: " + threadNames())
                    .isLessThanOrEqualTo(threadsBefore + 2);
            long heapAfter = heapAfterGc();
            assertThat(heapAfter - heapBefore).as("heap growth after " + cases + " cases").isLessThan(MAX_HEAP_GROWTH);
        }
        StringBuilder report = new StringBuilder(String.format("fuzz: %d cases (seed %d) in %.1f s, slowest %.2f s "
                + "(%s), %d accepted images checked with e2fsck; per class accepted/refused:", cases,
                generator == null ? 0 : Long.getLong("fuzz.seed", DEFAULT_SEED), total, slowest, slowestCase,
                (checked + CHECK_EVERY - 1) / CHECK_EVERY));
        tally.forEach((k, v) -> report.append(' ').append(k).append(' ').append(v[0]).append('/').append(v[1]));
        System.out.println(report);
    }

    private static RootfsOptions options() {
        return RootfsOptions.defaults().withAgent(AgentChoice.none()).withFreeBytes(4 << 20);
    }

    /** A directory on tmpfs when there is one: the ext4 writer's fsync then costs nothing, so the cases run fast. */
    private Path workDirectory() throws IOException {
        Path shm = Path.of("/dev/shm");
        if (Files.isDirectory(shm) && Files.isWritable(shm)) {
            return Files.createTempDirectory(shm, "agentkernel-fuzz-");
        }
        return fallbackDir;
    }

    private static int liveThreads() {
        return (int) Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).count();
    }

    private static List<String> threadNames() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName).sorted().toList();
    }

    private static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static String trace(Throwable t) {
        StringWriter s = new StringWriter();
        t.printStackTrace(new PrintWriter(s));
        return s.toString();
    }

    private static List<Path> list(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            List<Path> all = new ArrayList<>(files.sorted(Comparator.reverseOrder()).toList());
            for (Path p : all) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
