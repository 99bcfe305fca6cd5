package dev.agentkernel.build;

import dev.agentkernel.engine.ContainerEngine;
import dev.agentkernel.engine.EngineChoice;
import dev.agentkernel.engine.EngineDetector;
import dev.agentkernel.engine.EngineFixtures;
import dev.agentkernel.store.AgentkernelHome;
import dev.agentkernel.store.ImageRecord;
import dev.agentkernel.store.ImageRemovalHook;
import dev.agentkernel.store.ImageStore;
import dev.agentkernel.store.ImageStoreTestRecords;
import dev.agentkernel.testing.RequiredTools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Removal and sync with real Podman: hooks see every removed record, pulled images are never touched by sync. */
@Tag("engine")
class ImageRemoverAndSyncTest {
    @TempDir
    Path tmp;

    private ImageStore store;
    private ContainerEngine podman;
    private final List<String> names = new ArrayList<>();
    private final List<String> hookCalls = new ArrayList<>();
    private ImageRemovalHook recordingHook;

    @BeforeEach
    void setUp() {
        RequiredTools.requireRoot();
        RequiredTools.require("podman");
        podman = ContainerEngine.detect(EngineChoice.PODMAN);
        store = new ImageStore(AgentkernelHome.at(tmp.resolve("home")));
        recordingHook = (removed, current) -> {
            assertThat(current.contains(removed.name())).as("hooks run after the metadata is gone").isFalse();
            hookCalls.add(removed.name());
        };
    }

    @AfterEach
    void cleanUp() {
        names.forEach(n -> podman.remove("agentkernel-" + n));
    }

    private ImageRecord build(String what) throws Exception {
        String name = EngineFixtures.uniqueName(what);
        names.add(name);
        Path context = EngineFixtures.copyOnlyContext(tmp.resolve(name));
        return new ImageBuilder(store).build(BuildSpec.of(name, context.toString(), null, List.of(), null, false),
                podman, line -> { });
    }

    @Test
    void rmRemovesBuiltAndPulledImagesAndRunsTheHooks() throws Exception {
        ImageRecord built = build("rm");
        ImageRecord pulled = ImageStoreTestRecords.pulled("registry.example/team/tools:1");
        store.put(pulled);
        ImageRemovalHook failingHook = (removed, current) -> {
            throw new IllegalStateException("cache is read-only");
        };

        List<ImageRemover.Removal> removals = new ImageRemover(store, EngineLookup.forThisMachine(),
                List.of(failingHook, recordingHook)).remove(List.of(built.name(), pulled.name()));

        assertThat(removals).extracting(ImageRemover.Removal::engineImage)
                .containsExactly(ImageRemover.EngineImage.REMOVED, ImageRemover.EngineImage.NONE);
        assertThat(removals.get(0).warnings()).singleElement().asString().contains("cache is read-only");
        assertThat(hookCalls).containsExactly(built.name(), pulled.name());
        assertThat(podman.exists(built.engineReference())).isFalse();
        assertThat(store.list().images()).isEmpty();
    }

    @Test
    void anEngineThatIsNoLongerInstalledLeavesItsImageAndSaysSo() throws Exception {
        ImageRecord built = build("noengine");
        Path emptyPath = Files.createDirectories(tmp.resolve("empty-bin"));
        EngineLookup none = kind -> EngineDetector.withPath(emptyPath.toString()).detect(EngineChoice.of(kind)).engine();

        ImageSync.Result synced = new ImageSync(store, none, List.of(recordingHook)).sync();
        assertThat(synced.dropped()).isEmpty();
        assertThat(synced.warnings()).singleElement().asString().contains("podman is not installed");

        ImageRemover.Removal removal = new ImageRemover(store, none, List.of(recordingHook))
                .remove(List.of(built.name())).get(0);
        assertThat(removal.engineImage()).isEqualTo(ImageRemover.EngineImage.LEFT);
        assertThat(removal.warnings()).singleElement().asString().contains("was left alone");
        assertThat(podman.exists(built.engineReference())).isTrue();
        assertThat(store.contains(built.name())).isFalse();
    }

    @Test
    void syncDropsOnlyBuiltImagesWhoseEngineImageIsGone() throws Exception {
        ImageRecord kept = build("kept");
        ImageRecord gone = build("gone");
        ImageRecord pulled = ImageStoreTestRecords.pulled("docker.io/library/alpine:3.19");
        store.put(pulled);
        podman.remove(gone.engineReference());

        ImageSync.Result result = new ImageSync(store, EngineLookup.forThisMachine(), List.of(recordingHook)).sync();

        assertThat(result.dropped()).containsExactly(gone);
        assertThat(result.warnings()).isEmpty();
        assertThat(hookCalls).containsExactly(gone.name());
        assertThat(store.list().images()).extracting(ImageRecord::name)
                .containsExactlyInAnyOrder(kept.name(), pulled.name());
    }
}
