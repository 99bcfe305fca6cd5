package dev.agentkernel.rootfs;

import dev.agentkernel.image.Digest;
import dev.agentkernel.image.Platform;
import dev.agentkernel.image.source.SourceSpec;
import dev.agentkernel.store.AgentkernelHome;
import dev.agentkernel.store.ImageName;
import dev.agentkernel.store.ImageRecord;
import dev.agentkernel.store.ImageStore;
import dev.agentkernel.testing.BusyboxImages;
import dev.agentkernel.testing.Ext4Check;
import dev.agentkernel.testing.LoopMount;
import dev.agentkernel.testing.TestProcess;
import dev.agentkernel.testing.TreeSnapshot;
import dev.agentkernel.testing.Umoci;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Converts one Podman-built image from its three export forms and checks the results against each other,
 * against e2fsck and against umoci's unpacking of the same image.
 */
@Tag("integration")
class RootfsConverterIT {
    /** Bytes of a file the image deletes in an upper layer: they must not be anywhere in the rootfs. */
    static final String SECRET = "agentkernel-deleted-secret-7f3c9a1e";

    @TempDir
    static Path work;
    static BusyboxImages images;
    static String tag;
    static Path dockerArchive;
    static Path ociLayout;
    static Path ociArchive;

    @BeforeAll
    static void buildImage() {
        images = new BusyboxImages(work);
        tag = images.build(
                "RUN mkdir -p /data/sub /usr/bin && echo " + SECRET + " > /data/credentials"
                        + " && echo hello > /data/sub/greeting && ln /data/sub/greeting /data/hardlink"
                        + " && ln -s /data/sub/greeting /data/symlink && chmod 4755 /data/sub"
                        + " && echo 'old init' > /init && chmod 755 /init",
                "RUN rm /data/credentials && echo upper > /data/sub/greeting2");
        dockerArchive = images.saveDockerArchive(tag);
        ociLayout = images.copyToOciLayout(tag, "v1");
        ociArchive = images.copyToOciArchive(tag, "v1");
    }

    @AfterAll
    static void removeImage() {
        if (images != null) {
            images.close();
        }
    }

    static RootfsOptions noAgent() {
        return RootfsOptions.defaults().withAgent(AgentChoice.none()).withPlatform(Platform.host());
    }

    static Map<String, TreeSnapshot.Entry> snapshot(Path image) throws Exception {
        try (LoopMount m = LoopMount.readOnly(image, work)) {
            return TreeSnapshot.ofDirectory(m.dir());
        }
    }

    @Test
    void allThreeSourcesGiveTheSameCleanTreeAsUmoci(@TempDir Path home) throws Exception {
        RootfsConverter converter = new RootfsConverter(AgentkernelHome.at(home));
        List<String> warnings = new ArrayList<>();
        ConversionListener listener = new ConversionListener() {
            @Override
            public void warning(String message) {
                warnings.add(message);
            }
        };
        RootfsOptions small = noAgent().withFreeBytes(32 << 20); // keeps the raw-image scan short
        RootfsResult fromDocker = converter.convert(SourceSpec.parse("docker-archive:" + dockerArchive), small, listener);
        RootfsResult fromOci = converter.convert(SourceSpec.parse("oci:" + ociLayout + ":v1"), small);
        RootfsResult fromArchive = converter.convert(SourceSpec.parse("oci-archive:" + ociArchive), small);
        assertThat(warnings).anyMatch(w -> w.contains("/init is replaced"));
        assertThat(fromOci.cacheHit()).isFalse();
        assertThat(fromArchive.cacheHit()).as("oci-archive holds the same manifest as the oci layout").isTrue();
        assertThat(fromArchive.path()).isEqualTo(fromOci.path());

        for (RootfsResult r : List.of(fromDocker, fromOci)) {
            Ext4Check.assertClean(r.path());
            assertThat(r.filesystemBytes()).isGreaterThan(32 << 20);
            assertThat(contains(r.path(), SECRET.getBytes(StandardCharsets.US_ASCII)))
                    .as("deleted file's bytes in the raw image").isFalse();
        }
        Map<String, TreeSnapshot.Entry> docker = snapshot(fromDocker.path());
        Map<String, TreeSnapshot.Entry> oci = snapshot(fromOci.path());
        assertThat(TreeSnapshot.differences(oci, docker, TreeSnapshot.Options.ALL)).isEmpty();

        Map<String, TreeSnapshot.Entry> umoci = TreeSnapshot.ofDirectory(
                Umoci.unpack(ociLayout, "v1", work.resolve("umoci-" + System.nanoTime())));
        List<String> ignored = new ArrayList<>(List.of("", "lost+found", "init", "usr/bin/agent", "etc/hostname",
                "dev/console", "dev/null", "dev/zero", "dev/tty", "dev/random", "dev/urandom"));
        for (String dir : List.of("dev", "proc", "sys", "tmp", "run", "root", "app", "usr", "usr/bin", "etc")) {
            if (!umoci.containsKey(dir)) {
                ignored.add(dir); // created by the converter
            }
        }
        assertThat(TreeSnapshot.differences(umoci, oci, new TreeSnapshot.Options(true, true, ignored))).isEmpty();

        // The injected parts.
        assertThat(oci.get("init").sha256()).isEqualTo(TreeSnapshot.sha256(InitScript.bytes()));
        assertThat(oci.get("init").mode()).isEqualTo(0755);
        assertThat(oci.get("tmp").mode()).isEqualTo(01777);
        assertThat(oci.get("dev/console")).satisfies(e -> {
            assertThat(e.type()).isEqualTo('c');
            assertThat(e.major()).isEqualTo(5);
            assertThat(e.minor()).isEqualTo(1);
            assertThat(e.mode()).isEqualTo(0622);
        });
        assertThat(oci.get("dev/urandom").mode()).isEqualTo(0666);
        assertThat(oci.get("etc/hostname").sha256()).isEqualTo(TreeSnapshot.sha256("agentkernel\n".getBytes()));
        assertThat(oci).doesNotContainKey("usr/bin/agent");
        assertThat(oci.get("data/hardlink").linkGroup()).containsExactly("data/hardlink", "data/sub/greeting");
    }

    @Test
    void agentIsInjectedAndPartOfTheCacheKey(@TempDir Path home, @TempDir Path files) throws Exception {
        Path agentA = Files.write(files.resolve("agent-a"), "#!/bin/sh\necho a\n".getBytes());
        Path agentB = Files.write(files.resolve("agent-b"), "#!/bin/sh\necho b\n".getBytes());
        RootfsConverter converter = new RootfsConverter(AgentkernelHome.at(home));
        SourceSpec spec = SourceSpec.parse("oci:" + ociLayout + ":v1");
        RootfsResult a = converter.convert(spec, noAgent().withAgent(AgentChoice.file(agentA)));
        RootfsResult again = converter.convert(spec, noAgent().withAgent(AgentChoice.file(agentA)));
        RootfsResult b = converter.convert(spec, noAgent().withAgent(AgentChoice.file(agentB)));
        assertThat(a.filesystemBytes()).isGreaterThan(RootfsOptions.DEFAULT_FREE_BYTES);
        assertThat(a.diskBytes()).as("sparse: the default 1 GiB free costs nothing").isLessThan(a.filesystemBytes() / 20);
        assertThat(again.cacheHit()).isTrue();
        assertThat(again.path()).isEqualTo(a.path());
        assertThat(b.cacheHit()).isFalse();
        assertThat(b.path()).isNotEqualTo(a.path());
        TreeSnapshot.Entry agent = snapshot(b.path()).get("usr/bin/agent");
        assertThat(agent.mode()).isEqualTo(0755);
        assertThat(agent.sha256()).isEqualTo(TreeSnapshot.sha256(Files.readAllBytes(agentB)));

        long before = Files.getLastModifiedTime(a.path()).toMillis();
        RootfsResult fresh = converter.convert(spec, noAgent().withAgent(AgentChoice.file(agentA)).withCache(false));
        assertThat(fresh.cacheHit()).isFalse();
        assertThat(fresh.path()).isEqualTo(a.path());
        assertThat(Files.getLastModifiedTime(a.path()).toMillis()).isGreaterThanOrEqualTo(before);
        assertThat(new RootfsCache(AgentkernelHome.at(home)).list()).hasSize(2);
    }

    @Test
    void aBuiltImageHitsTheCacheWithoutBeingExportedAgain(@TempDir Path home) throws Exception {
        // A second tag of the same engine image: same image id, and a tag this test may remove.
        String alias = "localhost/agentkernel-test-alias-" + java.util.UUID.randomUUID().toString().substring(0, 8) + ":1";
        TestProcess.run(List.of("podman", "tag", tag, alias), java.time.Duration.ofMinutes(1));
        try {
            String id = TestProcess.run(List.of("podman", "image", "inspect", "--format", "{{.Id}}", alias),
                    java.time.Duration.ofMinutes(1)).stdout().strip();
            AgentkernelHome h = AgentkernelHome.at(home);
            new ImageStore(h).put(ImageRecord.built(ImageName.parse("built"), Digest.parse("sha256:" + id), 1,
                    java.time.Instant.EPOCH, Map.of(), new ImageRecord.BuildInfo("podman", alias, work, work)));
            RootfsConverter converter = new RootfsConverter(h);
            RootfsResult first = converter.convert(SourceSpec.parse("built"), noAgent());
            assertThat(first.cacheHit()).isFalse();

            // Exporting now would fail: the engine no longer knows the tag. The image id still names the content.
            TestProcess.run(List.of("podman", "untag", alias), java.time.Duration.ofMinutes(1));
            RootfsResult second = converter.convert(SourceSpec.parse("built"), noAgent());
            assertThat(second.cacheHit()).isTrue();
            assertThat(second.path()).isEqualTo(first.path());
            assertThat(second.imageDigest()).isEqualTo(first.imageDigest());

            // Other options are another entry, and need the image itself.
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> converter.convert(SourceSpec.parse("built"),
                    noAgent().withFreeBytes(2L << 30))).isInstanceOf(dev.agentkernel.errors.AgentkernelException.class);
        } finally {
            TestProcess.runAllowingFailure(List.of("podman", "untag", alias), java.time.Duration.ofMinutes(1));
        }
    }

    @Test
    void sameInputsGiveByteIdenticalImages(@TempDir Path out) throws Exception {
        RootfsConverter converter = new RootfsConverter(AgentkernelHome.at(out.resolve("home")));
        SourceSpec spec = SourceSpec.parse("oci:" + ociLayout + ":v1");
        RootfsResult one = converter.convert(spec, noAgent().withOutput(out.resolve("one.ext4")).withFreeBytes(64 << 20));
        RootfsResult two = converter.convert(spec, noAgent().withOutput(out.resolve("two.ext4")).withFreeBytes(64 << 20));
        assertThat(one.path()).isEqualTo(out.resolve("one.ext4"));
        assertThat(Files.mismatch(one.path(), two.path())).isEqualTo(-1);
        assertThat(new RootfsCache(AgentkernelHome.at(out.resolve("home"))).list()).as("-o bypasses the cache").isEmpty();
    }

    @Test
    void fixedSizeIsExact(@TempDir Path out) throws Exception {
        RootfsResult r = new RootfsConverter(AgentkernelHome.at(out.resolve("home"))).convert(
                SourceSpec.parse("docker-archive:" + dockerArchive), noAgent().withFixedSize(64L << 20)
                        .withOutput(out.resolve("fixed.ext4")));
        assertThat(Files.size(r.path())).isEqualTo(64L << 20);
        Ext4Check.assertClean(r.path());
        assertThat(Optional.ofNullable(r.imageDigest())).isPresent();
    }

    /** Whether {@code needle} occurs anywhere in the file (streamed, with an overlap between buffers). */
    static boolean contains(Path file, byte[] needle) throws IOException {
        byte[] buf = new byte[1 << 20];
        int carry = 0;
        try (var in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf, carry, buf.length - carry)) > 0; ) {
                int end = carry + n;
                outer:
                for (int i = 0; i <= end - needle.length; i++) {
                    for (int j = 0; j < needle.length; j++) {
                        if (buf[i + j] != needle[j]) {
                            continue outer;
                        }
                    }
                    return true;
                }
                carry = Math.min(needle.length - 1, end);
                System.arraycopy(buf, end - carry, buf, 0, carry);
            }
        }
        return false;
    }
}
