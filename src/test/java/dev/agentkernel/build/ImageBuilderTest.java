package dev.agentkernel.build;

import dev.agentkernel.engine.ContainerEngine;
import dev.agentkernel.engine.EngineChoice;
import dev.agentkernel.engine.EngineFixtures;
import dev.agentkernel.store.AgentkernelHome;
import dev.agentkernel.store.ImageRecord;
import dev.agentkernel.store.ImageStore;
import dev.agentkernel.testing.RequiredTools;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

@Tag("engine")
class ImageBuilderTest {
    @TempDir
    Path tmp;

    @Test
    void recordsWhatTheEngineReportsAtTheBuildTime() throws Exception {
        RequiredTools.requireRoot();
        RequiredTools.require("podman");
        ContainerEngine podman = ContainerEngine.detect(EngineChoice.PODMAN);
        ImageStore store = new ImageStore(AgentkernelHome.at(tmp.resolve("home")));
        Clock clock = Clock.fixed(Instant.parse("2026-11-23T12:00:00.123456Z"), ZoneOffset.UTC);
        String name = EngineFixtures.uniqueName("builder");
        Path context = EngineFixtures.copyOnlyContext(tmp.resolve("ctx"));
        try {
            ImageRecord record = new ImageBuilder(store, clock).build(
                    BuildSpec.of(name, context.toString(), null, List.of(), null, false), podman, line -> { });

            assertThat(record.createdAt()).isEqualTo(Instant.parse("2026-11-23T12:00:00.123Z"));
            assertThat(record.id()).isEqualTo(podman.inspect("agentkernel-" + name).id());
            assertThat(record.build().dockerfile()).isEqualTo(context.resolve("Dockerfile"));
            assertThat(record.labels()).containsEntry(ImageBuilder.NAME_LABEL, name);
            assertThat(store.get(name)).contains(record);
        } finally {
            podman.remove("agentkernel-" + name);
        }
    }

    @Test
    void twoBuildsOfOneNameAtOnceLeaveMetadataMatchingTheTag() throws Exception {
        RequiredTools.requireRoot();
        RequiredTools.require("podman");
        ContainerEngine podman = ContainerEngine.detect(EngineChoice.PODMAN);
        ImageStore store = new ImageStore(AgentkernelHome.at(tmp.resolve("home")));
        String name = EngineFixtures.uniqueName("same");
        Path one = EngineFixtures.copyOnlyContext(tmp.resolve("one"));
        Path two = EngineFixtures.copyOnlyContext(tmp.resolve("two"));
        Files.writeString(two.resolve("hello.txt"), "a different file, so a different image\n");
        ImageBuilder builder = new ImageBuilder(store);
        try {
            CompletableFuture<ImageRecord> a = CompletableFuture.supplyAsync(() -> builder.build(
                    BuildSpec.of(name, one.toString(), null, List.of(), null, false), podman, line -> { }));
            CompletableFuture<ImageRecord> b = CompletableFuture.supplyAsync(() -> builder.build(
                    BuildSpec.of(name, two.toString(), null, List.of(), null, false), podman, line -> { }));
            assertThat(a.get().id()).isNotEqualTo(b.get().id());

            ImageRecord stored = store.get(name).orElseThrow();
            assertThat(stored.id()).isEqualTo(podman.inspect("agentkernel-" + name).id());
        } finally {
            podman.remove("agentkernel-" + name);
        }
    }
}
