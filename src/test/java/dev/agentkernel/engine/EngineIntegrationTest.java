package dev.agentkernel.engine;

import dev.agentkernel.errors.ImageException;
import dev.agentkernel.errors.ToolException;
import dev.agentkernel.image.Digest;
import dev.agentkernel.testing.RequiredTools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Builds, inspects, saves and removes real images with Podman and Buildah (vfs storage, as root). */
@Tag("engine")
class EngineIntegrationTest {
    @TempDir
    Path tmp;

    private final List<String> created = new ArrayList<>();
    private ContainerEngine podman;

    @BeforeEach
    void findPodman() {
        RequiredTools.requireRoot();
        RequiredTools.require("podman");
        podman = EngineDetector.forThisMachine().detect(EngineChoice.PODMAN).engine();
    }

    @AfterEach
    void removeImages() {
        for (String tag : created) {
            podman.remove(tag);
        }
    }

    private String tag(String what) {
        String tag = EngineFixtures.uniqueTag(what);
        created.add(tag);
        return tag;
    }

    @Test
    void podmanBuildsInspectsSavesAndRemovesACopyOnlyImage() throws Exception {
        Path context = EngineFixtures.copyOnlyContext(tmp.resolve("ctx"));
        String tag = tag("copy");
        List<String> output = Collections.synchronizedList(new ArrayList<>());

        Digest id = podman.build(new BuildRequest(tag, context, context.resolve("Dockerfile"), Map.of(), null, false,
                Map.of("agentkernel.managed", "true", "agentkernel.name", "copy")), output::add);

        assertThat(output).anyMatch(line -> line.contains("COPY hello.txt"));
        ImageInfo info = podman.inspect(tag);
        assertThat(info.id()).isEqualTo(id);
        assertThat(info.size()).isGreaterThan(20);
        assertThat(info.labels()).containsEntry("agentkernel.managed", "true")
                .containsEntry("agentkernel.name", "copy").containsEntry("purpose", "test");
        assertThat(podman.exists(tag)).isTrue();

        Path dockerArchive = tmp.resolve("image-docker.tar");
        podman.save(tag, dockerArchive, ArchiveFormat.DOCKER_ARCHIVE);
        assertThat(EngineFixtures.tarEntryNames(dockerArchive)).contains("manifest.json");
        assertThat(EngineFixtures.filesInDockerArchive(dockerArchive))
                .containsEntry("hello.txt", "hello from the context\n");
        Path ociArchive = tmp.resolve("image-oci.tar");
        podman.save(tag, ociArchive, ArchiveFormat.OCI_ARCHIVE);
        assertThat(EngineFixtures.tarEntryNames(ociArchive)).contains("index.json", "oci-layout");

        assertThat(podman.remove(tag)).isTrue();
        assertThat(podman.exists(tag)).isFalse();
        assertThat(podman.remove(tag)).as("a missing image is not an error").isFalse();
        assertThatThrownBy(() -> podman.inspect(tag)).isInstanceOf(ImageException.class).hasMessageContaining(tag);
    }

    @Test
    void podmanRunsRunStepsWithBuildArgsAndTargets() throws Exception {
        Path context = EngineFixtures.runStepContext(tmp.resolve("ctx"));
        String full = tag("run");
        String tools = tag("run-target");

        podman.build(new BuildRequest(full, context, context.resolve("Dockerfile"), Map.of("GREETING", "hi there"),
                null, false, Map.of()), line -> { });
        podman.build(new BuildRequest(tools, context, context.resolve("Dockerfile"), Map.of("GREETING", "hi there"),
                "tools", true, Map.of()), line -> { });

        assertThat(podman.inspect(full).labels()).containsEntry("stage", "final").containsEntry("greeting", "hi there");
        assertThat(podman.inspect(tools).labels()).containsEntry("stage", "tools");
        Path archive = tmp.resolve("run.tar");
        podman.save(full, archive, ArchiveFormat.DOCKER_ARCHIVE);
        assertThat(EngineFixtures.filesInDockerArchive(archive)).containsEntry("greeting", "hi there\n");
    }

    @Test
    void aFailingBuildSaysSoInOneLineAfterStreamingItsOutput() throws Exception {
        Path context = EngineFixtures.failingContext(tmp.resolve("ctx"));
        String tag = tag("fail");
        List<String> output = Collections.synchronizedList(new ArrayList<>());

        assertThatThrownBy(() -> podman.build(new BuildRequest(tag, context, context.resolve("Dockerfile"), Map.of(),
                null, false, Map.of()), output::add))
                .isInstanceOf(ToolException.class)
                .hasMessageStartingWith("podman build failed (exit ")
                .hasMessageNotContaining("\n");
        assertThat(output).anyMatch(line -> line.contains("this step fails"));
        assertThat(podman.exists(tag)).isFalse();
    }

    @Test
    void buildahBuildsAndCountsNearlyTheSizePodmanDoes() throws Exception {
        RequiredTools.require("buildah");
        ContainerEngine buildah = EngineDetector.forThisMachine().detect(EngineChoice.BUILDAH).engine();
        Path context = EngineFixtures.runStepContext(tmp.resolve("ctx"));
        String tag = tag("buildah");

        Digest id = buildah.build(new BuildRequest(tag, context, context.resolve("Dockerfile"), Map.of(), null, false,
                Map.of("agentkernel.managed", "true")), line -> { });

        ImageInfo byBuildah = buildah.inspect(tag);
        ImageInfo byPodman = podman.inspect(tag);
        assertThat(byBuildah.id()).isEqualTo(id).isEqualTo(byPodman.id());
        // Podman also counts the second copy of the manifest its storage keeps; the layers dominate either way.
        assertThat(byBuildah.size()).isBetween(byPodman.size() - 4096, byPodman.size()).isGreaterThan(1_000_000);
        assertThat(byBuildah.labels()).containsEntry("agentkernel.managed", "true").containsEntry("stage", "final");
        assertThat(buildah.exists(tag)).isTrue();
        Path archive = tmp.resolve("buildah.tar");
        buildah.save(tag, archive, ArchiveFormat.OCI_ARCHIVE);
        assertThat(EngineFixtures.tarEntryNames(archive)).contains("index.json");
        assertThat(buildah.remove(tag)).isTrue();
        assertThat(buildah.exists(tag)).isFalse();
        assertThat(buildah.remove(tag)).isFalse();
    }
}
