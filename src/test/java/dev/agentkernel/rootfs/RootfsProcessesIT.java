package dev.agentkernel.rootfs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentkernel.testing.Ext4Check;
import dev.agentkernel.testing.OciLayoutWriter;
import dev.agentkernel.testing.OciLayoutWriter.Layer;
import dev.agentkernel.testing.TarLayerBuilder;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Conversions in separate JVMs ({@code agentkernel rootfs}): killed midway, and two at once. */
@Tag("integration")
class RootfsProcessesIT {
    @TempDir
    Path work;

    /** An image big enough that a conversion takes a moment: 160 MiB of non-zero bytes. */
    private Path bigLayout() throws IOException {
        byte[] data = new byte[160 << 20];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31 + (i >>> 12) | 1);
        }
        byte[] tar = new TarLayerBuilder().dir("data").file("data/big.bin", data).file("etc/hostname", "x\n").tar();
        return OciLayoutWriter.write(work.resolve("layout"), "v1", List.of(Layer.uncompressed(tar))).dir();
    }

    private Process start(Path home, Path layout, String... extra) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.agentkernel.cli.Main",
                "rootfs", "oci:" + layout, "--no-agent", "--free", "16M", "--json"));
        command.addAll(List.of(extra));
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectError(work.resolve("stderr-" + System.nanoTime() + ".txt").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("AGENTKERNEL_HOME", home.toString());
        return pb.start();
    }

    private static JsonNode finish(Process p) throws Exception {
        try {
            byte[] out = p.getInputStream().readAllBytes();
            assertThat(p.waitFor(3, TimeUnit.MINUTES)).isTrue();
            assertThat(p.exitValue()).as(new String(out, StandardCharsets.UTF_8)).isZero();
            return new ObjectMapper().readTree(out);
        } finally {
            p.destroyForcibly();
        }
    }

    /** The writer creates and recreates its temporary file: it may vanish between a listing and a look. */
    private static long sizeOrZero(Path p) {
        try {
            return Files.size(p);
        } catch (IOException gone) {
            return 0;
        }
    }

    private static List<Path> files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    @Test
    void killedConversionLeavesNoEntryAndTheNextRunSucceeds() throws Exception {
        Path layout = bigLayout();
        Path home = work.resolve("home");
        Path rootfs = home.resolve("rootfs");
        Process victim = start(home, layout);
        try {
            // Wait until the temporary image exists and holds data, i.e. the conversion is midway.
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            boolean midway = false;
            while (!midway && System.nanoTime() < deadline && victim.isAlive()) {
                for (Path p : files(rootfs)) {
                    if (p.getFileName().toString().endsWith(".tmp") && sizeOrZero(p) > (8 << 20)) {
                        midway = true;
                    }
                }
                Thread.sleep(2);
            }
            assertThat(midway).as("the conversion was caught midway").isTrue();
            victim.destroyForcibly(); // SIGKILL
            assertThat(victim.waitFor(1, TimeUnit.MINUTES)).isTrue();
        } finally {
            victim.destroyForcibly();
        }
        assertThat(files(rootfs)).noneMatch(p -> p.toString().endsWith(".ext4") || p.toString().endsWith(".json"));
        assertThat(new RootfsCache(dev.agentkernel.store.AgentkernelHome.at(home)).list()).isEmpty();

        JsonNode result = finish(start(home, layout));
        assertThat(result.get("cacheHit").asBoolean()).isFalse();
        Ext4Check.assertClean(Path.of(result.get("path").asText()));
        assertThat(files(rootfs)).as("leftovers of the killed run are cleaned up")
                .noneMatch(p -> p.getFileName().toString().endsWith(".tmp"));
    }

    @Test
    void terminatedConversionDeletesItsTemporaryOutput() throws Exception {
        Path layout = bigLayout();
        Path out = Files.createDirectories(work.resolve("out"));
        Process p = start(work.resolve("home"), layout, "-o", out.resolve("rootfs.ext4").toString());
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (files(out).isEmpty() && System.nanoTime() < deadline && p.isAlive()) {
                Thread.sleep(2);
            }
            assertThat(files(out)).as("the conversion started writing").isNotEmpty();
            p.destroy(); // SIGTERM, as on Ctrl-C or a service stop
            assertThat(p.waitFor(1, TimeUnit.MINUTES)).isTrue();
        } finally {
            p.destroyForcibly();
        }
        assertThat(files(out)).isEmpty();
    }

    @Test
    void aKilledOutputConversionsTemporaryIsSweptByTheNextRunOfThatFile() throws Exception {
        Path layout = bigLayout();
        Path out = Files.createDirectories(work.resolve("out"));
        Path target = out.resolve("rootfs.ext4");
        Process victim = start(work.resolve("home"), layout, "-o", target.toString());
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (files(out).stream().noneMatch(f -> sizeOrZero(f) > (8 << 20)) && System.nanoTime() < deadline
                    && victim.isAlive()) {
                Thread.sleep(2);
            }
            victim.destroyForcibly(); // SIGKILL: no shutdown hook runs
            assertThat(victim.waitFor(1, TimeUnit.MINUTES)).isTrue();
        } finally {
            victim.destroyForcibly();
        }
        assertThat(files(out)).as("SIGKILL leaves the temporary").hasSize(1)
                .allMatch(f -> f.getFileName().toString().startsWith(".rootfs.ext4.pid"));
        finish(start(work.resolve("home"), layout, "-o", target.toString()));
        assertThat(files(out)).containsExactly(target);
    }

    @Test
    void concurrentConversionsOfOneImageConvertOnce() throws Exception {
        Path layout = bigLayout();
        Path home = work.resolve("home");
        List<Process> processes = new ArrayList<>();
        processes.add(start(home, layout));
        processes.add(start(home, layout));
        List<JsonNode> results = new ArrayList<>();
        for (Process p : processes) {
            results.add(finish(p));
        }
        assertThat(results).extracting(r -> r.get("cacheHit").asBoolean()).containsExactlyInAnyOrder(false, true);
        assertThat(results.get(0).get("path").asText()).isEqualTo(results.get(1).get("path").asText());
        assertThat(files(home.resolve("rootfs"))).hasSize(2); // one .ext4, one .json
    }
}
