package dev.agentkernel.store;

import dev.agentkernel.errors.StoreException;
import dev.agentkernel.image.Digest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImageStoreTest {
    @TempDir
    Path tmp;

    static ImageRecord built(String name) {
        ImageName n = ImageName.parse(name);
        return ImageRecord.built(n, Digest.sha256(name.getBytes(StandardCharsets.UTF_8)), 2_127_706,
                Instant.parse("2026-11-23T13:57:53.323Z"), Map.of("agentkernel.managed", "true", "b", "2"),
                new ImageRecord.BuildInfo("podman", n.engineReference(), Path.of("/ctx/Dockerfile"), Path.of("/ctx")));
    }

    static ImageRecord pulled(String name) {
        return ImageRecord.pulled(name, Digest.sha256(new byte[] {1}), 42, Instant.parse("2026-01-02T03:04:05Z"),
                Map.of(), new ImageRecord.SourceInfo("docker.io/library/alpine:3.19",
                        Digest.sha256(new byte[] {2}), "linux/amd64"));
    }

    @Test
    void putThenGetAndListReturnTheSameRecord() {
        ImageStore store = new ImageStore(AgentkernelHome.at(tmp));
        ImageRecord demo = built("demo");
        store.put(demo);

        assertThat(store.get("demo")).contains(demo);
        assertThat(store.get("other")).isEmpty();
        assertThat(store.list().images()).containsExactly(demo);
        assertThat(store.list().problems()).isEmpty();
        assertThat(tmp.resolve("images/demo.json")).isRegularFile();
    }

    @Test
    void pulledReferencesGetSafeFileNamesAndRoundTrip() {
        ImageStore store = new ImageStore(AgentkernelHome.at(tmp));
        ImageRecord alpine = pulled("docker.io/library/alpine:3.19");
        ImageRecord dotted = pulled("..");
        store.put(alpine);
        store.put(dotted);

        assertThat(store.fileOf(alpine.name()).getFileName().toString())
                .isEqualTo("docker.io%2Flibrary%2Falpine%3A3.19.json");
        assertThat(store.fileOf("..").getFileName().toString()).isEqualTo("%2E..json");
        assertThat(store.fileOf("..").getParent()).isEqualTo(tmp.resolve("images"));
        assertThat(store.get(alpine.name())).contains(alpine);
        assertThat(store.list().images()).containsExactly(dotted, alpine);
        assertThat(store.resolveEngineReference(alpine.name())).isEqualTo(alpine.name());
    }

    @Test
    void aBuiltNameResolvesToItsEngineTagAndAnythingElseStays() {
        ImageStore store = new ImageStore(AgentkernelHome.at(tmp));
        store.put(built("my-tools"));
        assertThat(store.resolveEngineReference("my-tools")).isEqualTo("agentkernel-my-tools");
        assertThat(store.resolveEngineReference("alpine:3.19")).isEqualTo("alpine:3.19");
    }

    @Test
    void corruptFilesAreReportedByNameAndSkipped() throws Exception {
        ImageStore store = new ImageStore(AgentkernelHome.at(tmp));
        store.put(built("good"));
        Files.writeString(tmp.resolve("images/broken.json"), "{\"name\": \"broken\", ");
        Files.writeString(tmp.resolve("images/partial.json"), "{\"name\": \"partial\", \"origin\": \"built\"}");
        Files.writeString(tmp.resolve("images/moved.json"),
                new String(Files.readAllBytes(tmp.resolve("images/good.json")), StandardCharsets.UTF_8));
        Files.writeString(tmp.resolve("images/.good.json.123.tmp"), "half");

        ImageStore.Listing listing = store.list();
        assertThat(listing.images()).extracting(ImageRecord::name).containsExactly("good");
        assertThat(listing.problems()).extracting(p -> p.file().getFileName().toString())
                .containsExactly("broken.json", "moved.json", "partial.json");
        assertThat(listing.problems().get(0).reason()).startsWith("not valid JSON");
        assertThat(listing.problems().get(1).reason()).contains("describes image 'good'");
        assertThat(listing.problems().get(2).reason()).contains("missing field");

        assertThatThrownBy(() -> store.get("broken"))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining(tmp.resolve("images/broken.json").toString())
                .hasMessageContaining("agentkernel images rm broken");
        assertThat(store.resolveEngineReference("broken")).isEqualTo("broken");
        assertThat(store.delete("broken")).isTrue();
        assertThat(store.delete("broken")).isFalse();
    }

    @Test
    void aNewerSchemaIsReportedNotMisread() throws Exception {
        ImageStore store = new ImageStore(AgentkernelHome.at(tmp));
        store.put(built("demo"));
        Path file = store.fileOf("demo");
        Files.writeString(file, Files.readString(file).replace("\"schema_version\" : 1", "\"schema_version\" : 9"));
        assertThat(store.list().problems()).singleElement()
                .satisfies(p -> assertThat(p.reason()).contains("newer agentkernel"));
    }

    @Test
    void concurrentWritersLoseNothing() throws Exception {
        ImageStore store = new ImageStore(AgentkernelHome.at(tmp));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                String name = "img" + i;
                futures.add(pool.submit(() -> {
                    store.put(built(name));
                    store.put(built(name));
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        ImageStore.Listing listing = store.list();
        assertThat(listing.problems()).isEmpty();
        assertThat(listing.images()).hasSize(64);
        try (var files = Files.list(tmp.resolve("images"))) {
            assertThat(files.filter(p -> p.getFileName().toString().endsWith(".tmp"))).isEmpty();
        }
    }

    @Test
    void aMissingImagesFolderIsAnEmptyStore() {
        ImageStore store = new ImageStore(AgentkernelHome.at(tmp.resolve("nowhere")));
        assertThat(store.list().images()).isEmpty();
        assertThat(store.get("demo")).isEmpty();
        assertThat(store.delete("demo")).isFalse();
    }
}
