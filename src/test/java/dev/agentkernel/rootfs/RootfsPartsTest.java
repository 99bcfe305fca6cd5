package dev.agentkernel.rootfs;

import dev.agentkernel.errors.UserInputException;
import dev.agentkernel.image.Digest;
import dev.agentkernel.layer.ContentRef;
import dev.agentkernel.layer.EntryMetadata;
import dev.agentkernel.layer.FlatEntry;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RootfsPartsTest {
    private static final EntryMetadata META = new EntryMetadata(0644, 0, 0, Instant.EPOCH, Instant.EPOCH, Map.of());
    private static final ContentRef CONTENT = new ContentRef() {
    };

    @Test
    void removingALinkedFileHandsItToItsFirstLink() {
        EntryTable table = new EntryTable(List.of(
                new FlatEntry.Directory("", META, false),
                new FlatEntry.RegularFile("init", META, 5, CONTENT),
                new FlatEntry.HardLink("sbin/init", "init"),
                new FlatEntry.HardLink("sbin/init2", "init")));
        List<FlatEntry.RegularFile> orphans = new ArrayList<>();
        assertThat(table.remove("init", orphans::add)).isTrue();
        assertThat(orphans).as("the content is still named, so not discarded").isEmpty();
        assertThat(table.get("sbin/init")).get().isInstanceOf(FlatEntry.RegularFile.class)
                .satisfies(e -> assertThat(((FlatEntry.RegularFile) e).content()).isSameAs(CONTENT));
        assertThat(table.get("sbin/init2")).contains(new FlatEntry.HardLink("sbin/init2", "sbin/init"));
        assertThat(table.get("init")).isEmpty();
    }

    @Test
    void removingADirectoryOrphansTheContentBelowIt() {
        EntryTable table = new EntryTable(List.of(
                new FlatEntry.Directory("init", META, false),
                new FlatEntry.RegularFile("init/a", META, 1, CONTENT),
                new FlatEntry.Symlink("init/b", META, "a"),
                new FlatEntry.RegularFile("initial", META, 1, CONTENT)));
        List<FlatEntry.RegularFile> orphans = new ArrayList<>();
        table.remove("init", orphans::add);
        assertThat(orphans).extracting(FlatEntry::path).containsExactly("init/a");
        assertThat(table.entries()).extracting(FlatEntry::path).containsExactly("initial");
        assertThat(table.remove("absent", orphans::add)).isFalse();
    }

    @Test
    void cacheKeyChangesWithEveryInput() {
        Digest image = Digest.sha256(new byte[]{1});
        AgentBinary agent = new AgentBinary(new byte[]{7}, Digest.sha256(new byte[]{7}));
        RootfsOptions options = RootfsOptions.defaults();
        Set<String> keys = List.of(
                CacheKey.of(image, agent, options, 0),
                CacheKey.of(Digest.sha256(new byte[]{2}), agent, options, 0),
                CacheKey.of(image, null, options, 0),
                CacheKey.of(image, new AgentBinary(new byte[]{8}, Digest.sha256(new byte[]{8})), options, 0),
                CacheKey.of(image, agent, options.withFreeBytes(1), 0),
                CacheKey.of(image, agent, options.withFixedSize(1L << 30), 0),
                CacheKey.of(image, agent, options, 1700000000)).stream().collect(Collectors.toSet());
        assertThat(keys).hasSize(7).allMatch(k -> k.matches("[0-9a-f]{64}"));
        assertThat(CacheKey.of(image, agent, options.withPlatform(dev.agentkernel.image.Platform.parse("linux/arm64"))
                .withCache(false), 0)).as("platform and --no-cache do not change the bytes")
                .isEqualTo(CacheKey.of(image, agent, options, 0));
    }

    @Test
    void sizes() {
        assertThat(ByteSize.parse("1G")).isEqualTo(1L << 30);
        assertThat(ByteSize.parse("512m")).isEqualTo(512L << 20);
        assertThat(ByteSize.parse("300MiB")).isEqualTo(300L << 20);
        assertThat(ByteSize.parse("1.5G")).isEqualTo(3L << 29);
        assertThat(ByteSize.parse("4096")).isEqualTo(4096);
        assertThatThrownBy(() -> ByteSize.parse("-1G")).isInstanceOf(UserInputException.class);
        assertThatThrownBy(() -> ByteSize.parse("1Q")).isInstanceOf(UserInputException.class);
        assertThat(ByteSize.format(1536L << 20)).isEqualTo("1.5 GiB");
    }

    @Test
    void initScriptParsesWithAPosixShell(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path script = java.nio.file.Files.write(dir.resolve("init"), InitScript.bytes());
        var r = dev.agentkernel.testing.TestProcess.runAllowingFailure(
                List.of(dev.agentkernel.testing.RequiredTools.require("dash").toString(), "-n", script.toString()),
                java.time.Duration.ofSeconds(30));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
    }

    @Test
    void initScriptIsAPosixShellScriptThatStartsTheAgent() {
        String body = new String(InitScript.bytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(body).startsWith("#!/bin/sh\n").contains("mount -t proc").contains("mount -t sysfs")
                .contains("mount -t devtmpfs").contains("hostname agentkernel").contains("/usr/bin/agent &")
                .contains(InitScript.READY_LINE).contains("\"$@\"").contains("version " + InitScript.VERSION);
    }
}
