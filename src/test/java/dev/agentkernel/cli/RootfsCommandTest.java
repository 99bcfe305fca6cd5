package dev.agentkernel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentkernel.image.Digest;
import dev.agentkernel.rootfs.RootfsCache;
import dev.agentkernel.store.AgentkernelHome;
import dev.agentkernel.store.ImageRecord;
import dev.agentkernel.store.ImageStore;
import dev.agentkernel.testing.OciLayoutWriter;
import dev.agentkernel.testing.OciLayoutWriter.Layer;
import dev.agentkernel.testing.TarLayerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class RootfsCommandTest {
    @TempDir
    Path work;

    private OciLayoutWriter.Written layout(String name, String content) throws Exception {
        byte[] tar = new TarLayerBuilder().dir("etc").file("etc/os-release", content).file("bin/sh", "#!x\n").tar();
        return OciLayoutWriter.write(work.resolve(name), "v1", List.of(Layer.gzip(tar)));
    }

    @Test
    void printsThePathThenReusesTheCache() throws Exception {
        OciLayoutWriter.Written w = layout("layout", "ID=a\n");
        Path home = work.resolve("home");
        CliRun first = CliRun.run(home, "rootfs", "oci:" + w.dir() + ":v1", "--no-agent", "--free", "8M");
        assertThat(first.exitCode()).as(first.err()).isZero();
        Path path = Path.of(first.out().strip());
        assertThat(path).exists().hasParent(home.resolve("rootfs"));
        assertThat(first.err()).contains("layer 1 of 1").contains("converted");

        CliRun json = CliRun.run(home, "rootfs", "oci:" + w.dir(), "--no-agent", "--free", "8M", "--json");
        assertThat(json.exitCode()).as(json.err()).isZero();
        JsonNode node = new ObjectMapper().readTree(json.out());
        assertThat(node.get("path").asText()).isEqualTo(path.toString());
        assertThat(node.get("cacheHit").asBoolean()).isTrue();
        assertThat(node.get("imageDigest").asText()).isEqualTo(w.manifest().toString());
        assertThat(node.get("filesystemBytes").asLong()).isEqualTo(Files.size(path));
        assertThat(node.get("diskBytes").asLong()).isPositive().isLessThanOrEqualTo(Files.size(path));
        assertThat(node.get("entries").asLong()).isGreaterThan(15);
        assertThat(node.has("seconds")).isTrue();
    }

    @Test
    void warnsWhenTheImageIsForAnotherPlatform() throws Exception {
        OciLayoutWriter.Written w = layout("layout", "ID=a\n"); // the fixture's config says linux/amd64
        CliRun run = CliRun.run(work.resolve("home"), "rootfs", "oci:" + w.dir(), "--no-agent", "--free", "8M",
                "--platform", "linux/arm64");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).contains("warning: the image is for linux/amd64, not linux/arm64");
    }

    @Test
    void badInputExitsWithOneLine() throws Exception {
        Path home = work.resolve("home");
        CliRun missing = CliRun.run(home, "rootfs", "oci:" + work.resolve("nope"), "--no-agent");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.errLines()).hasSize(1);
        assertThat(missing.lastErrLine()).startsWith("agentkernel: ").contains("does not exist");

        // a 1 MiB path with an ANSI escape (and one with a NUL): one line, bounded, escaped, the sentence ends
        String hostile = work + "/\u001b[2J" + "d".repeat(1 << 20);
        CliRun flood = CliRun.run(home, "rootfs", "oci:" + hostile, "--no-agent");
        assertThat(flood.exitCode()).isEqualTo(1);
        assertThat(flood.errLines()).hasSize(1);
        assertThat(flood.lastErrLine()).hasSizeLessThan(400).doesNotContain("\u001b")
                .contains("\\x1b[2Jddd").contains("more characters)").endsWith("ddd' does not exist");
        CliRun nul = CliRun.run(home, "rootfs", "oci:" + work + "/a\u0000b", "--no-agent");
        assertThat(nul.exitCode()).isEqualTo(2);
        assertThat(nul.errLines()).hasSize(1);
        assertThat(nul.lastErrLine()).endsWith("/a\\x00b' is not a valid path: Nul character not allowed");

        CliRun size = CliRun.run(home, "rootfs", "oci:x", "--size", "lots");
        assertThat(size.exitCode()).isEqualTo(2);
        assertThat(size.lastErrLine()).contains("bad size 'lots'");

        CliRun both = CliRun.run(home, "rootfs", "oci:x", "--size", "1G", "--free", "1G");
        assertThat(both.exitCode()).isEqualTo(2);

        CliRun platform = CliRun.run(home, "rootfs", "oci:x", "--platform", "linux");
        assertThat(platform.exitCode()).isEqualTo(2);
        assertThat(platform.lastErrLine()).contains("OS/ARCH");
    }

    @Test
    void pruneRemovesEntriesNotUsedRecently() throws Exception {
        Path home = work.resolve("home");
        OciLayoutWriter.Written a = layout("a", "ID=a\n");
        OciLayoutWriter.Written b = layout("b", "ID=b\n");
        Path pathA = Path.of(CliRun.run(home, "rootfs", "oci:" + a.dir(), "--no-agent", "--free", "8M").out().strip());
        Path pathB = Path.of(CliRun.run(home, "rootfs", "oci:" + b.dir(), "--no-agent", "--free", "8M").out().strip());
        Path recordA = Path.of(pathA.toString().replace(".ext4", ".json"));
        Files.setLastModifiedTime(recordA, FileTime.from(Instant.now().minus(Duration.ofDays(10))));

        CliRun prune = CliRun.run(home, "rootfs", "prune", "--older-than", "7d");
        assertThat(prune.exitCode()).as(prune.err()).isZero();
        assertThat(prune.out()).contains("removed 1 cached root filesystem");
        assertThat(pathA).doesNotExist();
        assertThat(recordA).doesNotExist();
        assertThat(pathB).exists();

        assertThat(CliRun.run(home, "rootfs", "prune").out()).contains("removed 1 ");
        assertThat(pathB).doesNotExist();
        assertThat(CliRun.run(home, "rootfs", "prune", "--older-than", "soon").exitCode()).isEqualTo(2);
    }

    @Test
    void removingAnImageDropsItsCacheEntries() throws Exception {
        Path home = work.resolve("home");
        OciLayoutWriter.Written a = layout("a", "ID=a\n");
        Path path = Path.of(CliRun.run(home, "rootfs", "oci:" + a.dir(), "--no-agent", "--free", "8M").out().strip());
        ImageStore store = new ImageStore(AgentkernelHome.at(home));
        ImageRecord record = ImageRecord.imported("mine", a.config(), 1, Instant.EPOCH, Map.of(),
                new ImageRecord.SourceInfo("oci:" + a.dir(), a.manifest(), null));
        store.put(record);
        Path viaName = Path.of(CliRun.run(home, "rootfs", "mine", "--no-agent", "--free", "8M").out().strip());
        assertThat(viaName).isEqualTo(path);

        var hook = RootfsCache.removalHook(AgentkernelHome.at(home));
        store.put(ImageRecord.imported("same-image-other-name", a.config(), 1, Instant.EPOCH, Map.of(),
                new ImageRecord.SourceInfo("oci:" + a.dir(), a.manifest(), null)));
        store.delete("mine");
        hook.imageRemoved(record, store);
        assertThat(path).as("still the rootfs of another stored name").exists();
        store.delete("same-image-other-name");
        hook.imageRemoved(record, store);
        assertThat(path).doesNotExist();
        assertThat(new RootfsCache(AgentkernelHome.at(home)).list()).isEmpty();
        assertThat(Digest.isDigest(a.config().toString())).isTrue();
    }
}
