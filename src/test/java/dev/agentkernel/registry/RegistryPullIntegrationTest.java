package dev.agentkernel.registry;

import dev.agentkernel.image.Digest;
import dev.agentkernel.image.Image;
import dev.agentkernel.image.ImageLayer;
import dev.agentkernel.image.ImageReference;
import dev.agentkernel.image.MediaTypes;
import dev.agentkernel.image.Platform;
import dev.agentkernel.image.source.RegistrySource;
import dev.agentkernel.store.AgentkernelHome;
import dev.agentkernel.store.BlobStore;
import dev.agentkernel.store.ImageOrigin;
import dev.agentkernel.store.ImageRecord;
import dev.agentkernel.store.ImageStore;
import dev.agentkernel.testing.BusyboxImages;
import dev.agentkernel.testing.ExternalCommand;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Pulls from the real CNCF registry ({@code docker-registry} on 127.0.0.1), filled by skopeo with images
 * Podman built in this test: Docker schema 2, OCI, a two-platform index, a derived image sharing the base
 * layers, and a unique image whose layer the test tampers with in the registry's storage.
 */
@Tag("integration")
class RegistryPullIntegrationTest {
    private static final Duration TOOL_TIMEOUT = Duration.ofMinutes(3);
    private static final RetryPolicy FAST = new RetryPolicy(4, Duration.ofMillis(20), Duration.ofMillis(200));

    @TempDir
    static Path work;
    static BusyboxImages images;
    static LocalRegistry registry;
    static String baseTag;
    static String derivedTag;
    static String uniqueTag;
    static TwoPlatformLayout.Result multi;

    @TempDir
    Path home;

    @BeforeAll
    static void fillRegistry() throws IOException {
        images = new BusyboxImages(work);
        registry = LocalRegistry.start(Files.createDirectories(work.resolve("registry")), Optional.empty());
        baseTag = images.build("RUN echo base > /etc/base-marker");
        derivedTag = images.buildFrom(baseTag, "RUN echo derived > /derived");
        uniqueTag = images.build("RUN echo " + java.util.UUID.randomUUID() + " > /unique");
        push(baseTag, "schema2/app:1", "v2s2");
        push(baseTag, "oci/app:1", "oci");
        push(derivedTag, "schema2/derived:1", "v2s2");
        push(uniqueTag, "tamper/app:1", "v2s2");
        Path layout = images.copyToOciLayout(baseTag, "base");
        multi = TwoPlatformLayout.addIndex(layout, "base", "multi");
        ExternalCommand.run(TOOL_TIMEOUT, "skopeo", "copy", "-q", "--all", "--dest-tls-verify=false",
                "oci:" + layout + ":multi", "docker://" + registry.address() + "/multi/app:1");
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
        if (images != null) {
            images.close();
        }
    }

    private static void push(String tag, String repoAndTag, String format) {
        ExternalCommand.run(TOOL_TIMEOUT, "skopeo", "copy", "-q", "--format", format, "--dest-tls-verify=false",
                "containers-storage:" + tag, "docker://" + registry.address() + "/" + repoAndTag);
    }

    private static Digest registryDigest(String repoAndTag) {
        String raw = ExternalCommand.run(TOOL_TIMEOUT, "skopeo", "inspect", "--raw", "--tls-verify=false",
                "docker://" + registry.address() + "/" + repoAndTag).stdout();
        return Digest.sha256(raw.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private RegistryOptions options() {
        return RegistryOptions.defaults().withRetry(FAST)
                .withDockerConfig(DockerConfig.at(home.resolve("no-docker-config.json")));
    }

    private PullService.Result pull(String address, String repoAndTag, Platform platform) {
        return new PullService(AgentkernelHome.at(home), options(), Clock.systemUTC())
                .pull(ImageReference.parse(address + "/" + repoAndTag), platform, PullListener.NONE);
    }

    /** Every layer reads back from the blob store, verified, and decompresses to its diff_id. */
    private void assertReadable(Digest manifestDigest) throws IOException {
        Image image = RegistrySource.stored(BlobStore.of(AgentkernelHome.at(home)), manifestDigest, "test");
        for (ImageLayer layer : image.layers()) {
            try (InputStream blob = layer.open();
                 InputStream tar = layer.verifyUncompressed(new GZIPInputStream(blob))) {
                tar.transferTo(java.io.OutputStream.nullOutputStream());
            }
        }
    }

    @Test
    void pullsADockerSchema2ImageByTagAndByDigest() throws IOException {
        Digest expected = registryDigest("schema2/app:1");
        PullService.Result byTag = pull(registry.address(), "schema2/app:1", Platform.host());
        assertThat(byTag.image().manifestDigest()).isEqualTo(expected);
        assertThat(byTag.image().manifest().mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
        assertThat(byTag.image().manifest().layers()).hasSize(3);
        assertReadable(expected);

        ImageRecord record = new ImageStore(AgentkernelHome.at(home)).get(registry.address() + "/schema2/app:1").orElseThrow();
        assertThat(record.origin()).isEqualTo(ImageOrigin.PULLED);
        assertThat(record.source().manifestDigest()).isEqualTo(expected);
        assertThat(record.source().reference()).isEqualTo(registry.address() + "/schema2/app:1");
        assertThat(record.id()).isEqualTo(byTag.image().manifest().config().digest());

        PullService.Result byDigest = pull(registry.address(), "schema2/app@" + expected, Platform.host());
        assertThat(byDigest.image().manifestDigest()).isEqualTo(expected);
        assertThat(byDigest.image().downloadedBlobs()).as("everything was already stored").isZero();
    }

    @Test
    void pullsAnOciImageByTagAndByDigest() throws IOException {
        Digest expected = registryDigest("oci/app:1");
        PullService.Result byTag = pull(registry.address(), "oci/app:1", Platform.host());
        assertThat(byTag.image().manifestDigest()).isEqualTo(expected);
        assertThat(byTag.image().manifest().mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
        assertReadable(expected);
        PullService.Result byDigest = pull(registry.address(), "oci/app@" + expected, Platform.host());
        assertThat(byDigest.image().manifestDigest()).isEqualTo(expected);
    }

    @Test
    void pullsEachPlatformOfATwoPlatformIndexByTagAndByDigest() throws IOException {
        assertThat(registryDigest("multi/app:1")).isEqualTo(multi.index());
        PullService.Result amd = pull(registry.address(), "multi/app:1", Platform.parse("linux/amd64"));
        assertThat(amd.image().manifestDigest()).isEqualTo(multi.amd64Manifest());
        assertThat(amd.image().config().platform()).contains(Platform.parse("linux/amd64"));
        assertThat(amd.record().source().platform()).isEqualTo("linux/amd64");
        assertThat(BlobStore.of(AgentkernelHome.at(home)).contains(multi.index())).as("index not kept").isFalse();

        PullService.Result arm = pull(registry.address(), "multi/app@" + multi.index(), Platform.parse("linux/arm64/v8"));
        assertThat(arm.image().manifestDigest()).isEqualTo(multi.arm64Manifest());
        assertThat(arm.image().config().platform()).contains(Platform.parse("linux/arm64/v8"));
        assertThat(arm.image().downloadedBlobs()).as("only the arm64 config is new").isEqualTo(1);
        assertReadable(multi.arm64Manifest());

        assertThatThrownBy(() -> pull(registry.address(), "multi/app:1", Platform.parse("linux/s390x")))
                .hasMessageContaining("no manifest for linux/s390x").hasMessageContaining("linux/amd64")
                .hasMessageContaining("linux/arm64/v8");
    }

    @Test
    void concurrentPullsOfOneImageIntoOneStoreBothSucceed() throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            var first = pool.submit(() -> pull(registry.address(), "oci/app:1", Platform.host()));
            var second = pool.submit(() -> pull(registry.address(), "oci/app:1", Platform.host()));
            Digest a = first.get().image().manifestDigest();
            Digest b = second.get().image().manifestDigest();
            assertThat(a).isEqualTo(b);
            assertThat(first.get().image().downloadedBlobs() + second.get().image().downloadedBlobs())
                    .as("each blob downloaded once between the two").isEqualTo(4);
            assertReadable(a);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aTamperedBlobIsADigestErrorAndNothingIsCached() throws IOException {
        ImageReference ref = ImageReference.parse(registry.address() + "/tamper/app:1");
        RegistryClient client = RegistryClient.forRegistryOf(ref, options());
        var manifest = dev.agentkernel.image.json.ImageJsonTranslator.manifest(client.manifest(ref).body(), null, "m");
        Digest top = manifest.layers().get(manifest.layers().size() - 1).digest();
        Path data = registry.blobData(top);
        byte[] bytes = Files.readAllBytes(data);
        bytes[bytes.length / 2] ^= 0x55;
        Files.write(data, bytes);

        assertThatThrownBy(() -> pull(registry.address(), "tamper/app:1", Platform.host()))
                .isInstanceOf(RegistryException.class).hasMessageContaining("corrupt blob")
                .hasMessageContaining(top.toString());
        BlobStore blobs = BlobStore.of(AgentkernelHome.at(home));
        assertThat(blobs.contains(top)).isFalse();
        assertThat(new ImageStore(AgentkernelHome.at(home)).list().images()).isEmpty();
        try (var files = Files.walk(home.resolve("blobs"))) {
            assertThat(files.filter(p -> p.toString().contains(top.hex()))).as("no partial download left").isEmpty();
        }
    }

    @Test
    void anInterruptedDownloadIsResumedAndEndsCorrect() throws IOException {
        try (CuttingProxy proxy = new CuttingProxy(registry.address())) {
            ImageReference ref = ImageReference.parse(proxy.address() + "/schema2/app:1");
            var manifest = dev.agentkernel.image.json.ImageJsonTranslator.manifest(
                    RegistryClient.forRegistryOf(ref, options()).manifest(ref).body(), null, "m");
            Digest biggest = manifest.layers().stream().max(java.util.Comparator.comparingLong(d -> d.size()))
                    .orElseThrow().digest();
            proxy.cutOnce(biggest);
            PullService.Result result = pull(proxy.address(), "schema2/app:1", Platform.host());
            assertReadable(result.image().manifestDigest());
            List<CuttingProxy.Seen> gets = proxy.blobGets().stream().filter(s -> s.path().endsWith(biggest.toString())).toList();
            assertThat(gets).hasSize(2);
            assertThat(gets.get(0).range()).isNull();
            assertThat(gets.get(1).range()).matches("bytes=[1-9][0-9]*-");
            assertThat(gets.get(1).status()).isEqualTo(206);
        }
    }

    @Test
    void aSecondImageSharingTheBaseDownloadsOnlyWhatIsNew() throws IOException {
        try (CuttingProxy proxy = new CuttingProxy(registry.address())) {
            PullService.Result base = pull(proxy.address(), "schema2/app:1", Platform.host());
            int before = proxy.blobGets().size();
            assertThat(before).isEqualTo(4); // config + 3 layers
            PullService.Result derived = pull(proxy.address(), "schema2/derived:1", Platform.host());
            Set<Digest> baseLayers = base.image().manifest().layers().stream().map(d -> d.digest()).collect(Collectors.toSet());
            Set<Digest> newBlobs = derived.image().manifest().layers().stream().map(d -> d.digest())
                    .filter(d -> !baseLayers.contains(d)).collect(Collectors.toSet());
            assertThat(newBlobs).as("the derived image adds one layer").hasSize(1);
            newBlobs.add(derived.image().manifest().config().digest());
            Set<String> fetched = proxy.blobGets().subList(before, proxy.blobGets().size()).stream()
                    .map(s -> s.path().substring(s.path().lastIndexOf('/') + 1)).collect(Collectors.toSet());
            assertThat(fetched).isEqualTo(newBlobs.stream().map(Digest::toString).collect(Collectors.toSet()));
            assertThat(derived.image().downloadedBlobs()).isEqualTo(2);
        }
    }

    @Test
    void removingAPulledImageRemovesOnlyTheBlobsNoOtherImageUses() {
        PullService.Result base = pull(registry.address(), "schema2/app:1", Platform.host());
        PullService.Result derived = pull(registry.address(), "schema2/derived:1", Platform.host());
        AgentkernelHome h = AgentkernelHome.at(home);
        BlobStore blobs = BlobStore.of(h);
        ImageStore store = new ImageStore(h);
        PulledBlobCollector collector = new PulledBlobCollector(blobs);
        Set<Digest> baseBlobs = collector.reachable(base.image().manifestDigest());
        Set<Digest> derivedBlobs = collector.reachable(derived.image().manifestDigest());
        assertThat(baseBlobs).hasSize(5); // manifest, config, 3 layers

        store.delete(derived.record().name());
        collector.imageRemoved(derived.record(), store);
        for (Digest d : derivedBlobs) {
            assertThat(blobs.contains(d)).as(d.toString()).isEqualTo(baseBlobs.contains(d));
        }
        assertThat(RegistrySource.stored(blobs, base.image().manifestDigest(), "base").layers()).hasSize(3);

        store.delete(base.record().name());
        collector.imageRemoved(base.record(), store);
        assertThat(baseBlobs).noneMatch(blobs::contains);
    }

    @Test
    void aPulledImageConvertsToTheSameTreeAsTheSameImageFromAnOciLayout() throws Exception {
        dev.agentkernel.testing.RequiredTools.requireRoot();
        dev.agentkernel.testing.RequiredTools.require("mount");
        Path layout = images.copyToOciLayout(derivedTag, "v1");
        AgentkernelHome h = AgentkernelHome.at(home);
        var converter = new dev.agentkernel.rootfs.RootfsConverter(h);
        var options = dev.agentkernel.rootfs.RootfsOptions.defaults()
                .withAgent(dev.agentkernel.rootfs.AgentChoice.none()).withCache(false);
        Path fromRegistry = home.resolve("from-registry.ext4");
        Path fromLayout = home.resolve("from-layout.ext4");
        converter.convert(dev.agentkernel.image.source.SourceSpec.parse("docker://" + registry.address()
                + "/schema2/derived:1"), options.withOutput(fromRegistry));
        converter.convert(dev.agentkernel.image.source.SourceSpec.parse("oci:" + layout + ":v1"),
                options.withOutput(fromLayout));
        var registryTree = snapshot(fromRegistry, home.resolve("mnt-registry"));
        var layoutTree = snapshot(fromLayout, home.resolve("mnt-layout"));
        assertThat(registryTree).containsKeys("bin/busybox", "etc/base-marker", "derived");
        assertThat(dev.agentkernel.testing.TreeSnapshot.differences(layoutTree, registryTree,
                dev.agentkernel.testing.TreeSnapshot.Options.ALL)).isEmpty();
    }

    /** Mounts an ext4 image read-only (loop), snapshots its tree, unmounts whatever happens. */
    private static java.util.Map<String, dev.agentkernel.testing.TreeSnapshot.Entry> snapshot(Path image, Path mountPoint)
            throws IOException, InterruptedException {
        Files.createDirectories(mountPoint);
        ExternalCommand.run(TOOL_TIMEOUT, "mount", "-t", "ext4", "-o", "loop,ro", image.toString(), mountPoint.toString());
        try {
            var tree = dev.agentkernel.testing.TreeSnapshot.ofDirectory(mountPoint);
            tree.remove("lost+found");
            return tree;
        } finally {
            ExternalCommand.run(TOOL_TIMEOUT, "umount", mountPoint.toString());
        }
    }
}
