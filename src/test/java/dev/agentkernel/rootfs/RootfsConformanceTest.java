package dev.agentkernel.rootfs;

import dev.agentkernel.image.source.SourceSpec;
import dev.agentkernel.store.AgentkernelHome;
import dev.agentkernel.testing.Ext4Check;
import dev.agentkernel.testing.OciLayoutWriter;
import dev.agentkernel.testing.OciLayoutWriter.Layer;
import dev.agentkernel.testing.RawTar;
import dev.agentkernel.testing.RequiredTools;
import dev.agentkernel.testing.TarLayerBuilder;
import dev.agentkernel.testing.TestProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the root filesystem shows (read back from the ext4 image with debugfs) where the image has something
 * of its own: symlinks with odd header modes, device nodes under {@code /dev}.
 */
class RootfsConformanceTest {
    @TempDir
    Path work;

    private record Listed(int mode, long mtime) {
    }

    @Test
    void theImagesOwnDeviceNodesAreKeptAndOnlyMissingOnesAreInjected() throws Exception {
        Instant old = Instant.parse("2021-03-04T05:06:07Z");
        byte[] tar = new TarLayerBuilder().dir("dev")
                .charDevice("dev/console", 5, 1).mode(0666).mtime(old)
                .charDevice("dev/null", 1, 3).mode(0666).mtime(old)
                .file("dev/zero", "not a device").mtime(old)
                .tar();
        List<String> warnings = new ArrayList<>();
        Path image = convert(tar, warnings);
        Map<String, Listed> dev = list(image, "/dev");
        assertThat(dev.get("console")).isEqualTo(new Listed(020666, old.getEpochSecond()));
        assertThat(dev.get("null")).isEqualTo(new Listed(020666, old.getEpochSecond()));
        assertThat(dev.get("zero")).isEqualTo(new Listed(0100644, old.getEpochSecond()));
        assertThat(dev.get("tty")).isEqualTo(new Listed(020666, 0));
        assertThat(dev.get("urandom")).isEqualTo(new Listed(020666, 0));
        assertThat(warnings).containsExactly(
                "the image's /dev/zero is a regular file, not the character device 1,5; it is kept as the image has it");
        Ext4Check.assertClean(image);
    }

    @Test
    void symlinksShowLrwxrwxrwx() throws Exception {
        byte[] tar = new RawTar().symlink("ln-0644", "target", 0644).symlink("ln-0000", "/etc", 0).end();
        Path image = convert(tar, new ArrayList<>());
        Map<String, Listed> root = list(image, "/");
        assertThat(root.get("ln-0644").mode()).isEqualTo(0120777);
        assertThat(root.get("ln-0000").mode()).isEqualTo(0120777);
        Ext4Check.assertClean(image);
    }

    @Test
    void aCachedConversionSweepsTheTemporariesOfKilledRuns() throws Exception {
        Process killed = new ProcessBuilder("sleep", "60").start();
        String owner = "pid" + killed.pid() + "at" + killed.info().startInstant().orElseThrow().toEpochMilli();
        killed.destroyForcibly();
        killed.waitFor();
        Path cache = java.nio.file.Files.createDirectories(work.resolve("home/rootfs"));
        Path record = java.nio.file.Files.write(cache.resolve(".abc.json." + owner + ".1.tmp"), new byte[]{'{'});
        Path image = java.nio.file.Files.write(cache.resolve(".def.ext4." + owner + ".2.tmp"), new byte[4096]);
        OciLayoutWriter.Written layout = OciLayoutWriter.write(work.resolve("layout"), "v1",
                List.of(Layer.uncompressed(new RawTar().file("a", "a").end())));
        new RootfsConverter(AgentkernelHome.at(work.resolve("home"))).convert(SourceSpec.parse("oci:" + layout.dir()),
                RootfsOptions.defaults().withAgent(AgentChoice.none()).withFreeBytes(8 << 20));
        assertThat(record).doesNotExist();
        assertThat(image).doesNotExist();
    }

    @Test
    void anyConversionSweepsTheOutputTemporaryAndExportOfAKilledRunWhereverItWasWriting() throws Exception {
        Process killed = new ProcessBuilder("sleep", "60").start();
        String dead = "pid" + killed.pid() + "at" + killed.info().startInstant().orElseThrow().toEpochMilli();
        killed.destroyForcibly();
        killed.waitFor();
        ProcessHandle self = ProcessHandle.current();
        String alive = "pid" + self.pid() + "at" + self.info().startInstant().orElseThrow().toEpochMilli();
        Path elsewhere = java.nio.file.Files.createDirectories(work.resolve("elsewhere"));
        Path deadTemp = java.nio.file.Files.write(elsewhere.resolve(".big.ext4." + dead + ".77.tmp"), new byte[4096]);
        Path liveTemp = java.nio.file.Files.write(elsewhere.resolve(".big.ext4." + alive + ".78.tmp"), new byte[4096]);
        Path notOurs = java.nio.file.Files.write(elsewhere.resolve("big.ext4"), new byte[1]);
        Path markers = java.nio.file.Files.createDirectories(work.resolve("home/tmp/outputs"));
        Path deadMarker = java.nio.file.Files.writeString(markers.resolve(dead + "-1.output"),
                elsewhere.resolve("big.ext4").toString());
        Path liveMarker = java.nio.file.Files.writeString(markers.resolve(alive + "-2.output"),
                elsewhere.resolve("big.ext4").toString());
        Path deadExport = java.nio.file.Files.write(work.resolve("home/tmp/export-" + dead + "-9.tar"), new byte[512]);
        Path liveExport = java.nio.file.Files.write(work.resolve("home/tmp/export-" + alive + "-9.tar"), new byte[512]);
        OciLayoutWriter.Written layout = OciLayoutWriter.write(work.resolve("layout"), "v1",
                List.of(Layer.uncompressed(new RawTar().file("a", "a").end())));
        new RootfsConverter(AgentkernelHome.at(work.resolve("home"))).convert(SourceSpec.parse("oci:" + layout.dir()),
                RootfsOptions.defaults().withAgent(AgentChoice.none()).withFreeBytes(8 << 20)
                        .withOutput(work.resolve("other.ext4")));
        assertThat(deadTemp).doesNotExist();
        assertThat(deadMarker).doesNotExist();
        assertThat(liveTemp).exists();
        assertThat(liveMarker).exists();
        assertThat(notOurs).exists();
        assertThat(deadExport).doesNotExist(); // a killed engine export too, though this conversion exports nothing
        assertThat(liveExport).exists();
        try (var left = java.nio.file.Files.list(markers)) {
            assertThat(left).containsExactly(liveMarker); // the conversion removed its own marker
        }
    }

    private Path convert(byte[] tar, List<String> warnings) throws Exception {
        OciLayoutWriter.Written layout = OciLayoutWriter.write(work.resolve("layout"), "v1",
                List.of(Layer.uncompressed(tar)));
        Path out = work.resolve("rootfs.ext4");
        new RootfsConverter(AgentkernelHome.at(work.resolve("home"))).convert(SourceSpec.parse("oci:" + layout.dir()),
                RootfsOptions.defaults().withAgent(AgentChoice.none()).withFreeBytes(8 << 20).withOutput(out),
                new ConversionListener() {
                    @Override
                    public void warning(String message) {
                        warnings.add(message);
                    }
                });
        return out;
    }

    /** {@code debugfs ls -l DIR}: name to (mode with type bits, mtime in seconds). */
    private static Map<String, Listed> list(Path image, String dir) throws Exception {
        TestProcess.Result r = TestProcess.run(List.of(RequiredTools.require("debugfs").toString(), "-R",
                "ls -l -p " + dir, image.toString()), Duration.ofSeconds(30));
        Map<String, Listed> out = new HashMap<>();
        for (String line : r.stdout().split("\n")) {
            // -p: /inode/mode/uid/gid/name/size/ (mode in octal)
            String[] f = line.split("/", -1);
            if (f.length >= 7 && !f[5].isEmpty() && !f[5].equals(".") && !f[5].equals("..")) {
                out.put(f[5], new Listed(Integer.parseInt(f[2], 8), mtime(image, dir, f[5])));
            }
        }
        return out;
    }

    private static long mtime(Path image, String dir, String name) throws Exception {
        String path = (dir.endsWith("/") ? dir : dir + "/") + name;
        TestProcess.Result r = TestProcess.run(List.of(RequiredTools.require("debugfs").toString(), "-R",
                "stat " + path, image.toString()), Duration.ofSeconds(30));
        for (String line : r.stdout().split("\n")) {
            if (line.startsWith(" mtime: 0x")) {
                return Long.parseLong(line.substring(" mtime: 0x".length(), " mtime: 0x".length() + 8), 16);
            }
        }
        throw new AssertionError("no mtime for " + path + " in:\n" + r.stdout());
    }
}
