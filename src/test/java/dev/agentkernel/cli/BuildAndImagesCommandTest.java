package dev.agentkernel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentkernel.engine.ContainerEngine;
import dev.agentkernel.engine.EngineChoice;
import dev.agentkernel.engine.EngineFixtures;
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

/** {@code build} and {@code images} end to end through the command line, with real Podman. */
@Tag("engine")
class BuildAndImagesCommandTest {
    @TempDir
    Path tmp;

    private Path home;
    private ContainerEngine podman;
    private final List<String> names = new ArrayList<>();

    @BeforeEach
    void setUp() {
        RequiredTools.requireRoot();
        RequiredTools.require("podman");
        podman = ContainerEngine.detect(EngineChoice.PODMAN);
        home = tmp.resolve("home");
    }

    @AfterEach
    void removeEngineImages() {
        names.forEach(n -> podman.remove("agentkernel-" + n));
    }

    private String name(String what) {
        String name = EngineFixtures.uniqueName(what);
        names.add(name);
        return name;
    }

    @Test
    void buildListInspectRemoveAndSync() throws Exception {
        Path copyContext = EngineFixtures.copyOnlyContext(tmp.resolve("copy"));
        Path runContext = EngineFixtures.runStepContext(tmp.resolve("run"));
        String copy = name("copy");
        String run = name("run");

        CliRun built = CliRun.run(home, "build", "-t", copy, "--engine", "podman", copyContext.toString());
        assertThat(built.exitCode()).as(built.err()).isZero();
        assertThat(built.out()).startsWith("built " + copy + " (agentkernel-" + copy + ", ");
        assertThat(built.err()).contains("using podman (asked for)").contains("COPY hello.txt /hello.txt");

        CliRun builtRun = CliRun.run(home, "build", "-t", run, "--build-arg", "GREETING=hello", "--target", "tools",
                "--no-cache", "--engine", "podman", "-f", runContext.resolve("Dockerfile").toString(), runContext.toString());
        assertThat(builtRun.exitCode()).as(builtRun.err()).isZero();
        assertThat(builtRun.err()).contains("using podman (asked for)").contains("RUN echo");

        CliRun table = CliRun.run(home, "images");
        assertThat(table.exitCode()).isZero();
        assertThat(table.out().lines().toList()).hasSize(3);
        assertThat(table.out()).startsWith("NAME").contains("SIZE").contains(copy).contains(run).contains(" MB ")
                .contains("built");
        assertThat(CliRun.run(home, "images", "list").out()).isEqualTo(table.out());

        JsonNode listed = new ObjectMapper().readTree(CliRun.run(home, "images", "--json").out());
        assertThat(listed).hasSize(2);
        JsonNode inspected = new ObjectMapper().readTree(CliRun.run(home, "images", "inspect", run, "--json").out());
        assertThat(inspected.get("name").asText()).isEqualTo(run);
        assertThat(inspected.get("id").asText()).isEqualTo(podman.inspect("agentkernel-" + run).id().toString());
        assertThat(inspected.get("size").asLong()).isEqualTo(podman.inspect("agentkernel-" + run).size());
        assertThat(inspected.get("created_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z");
        assertThat(inspected.get("engine").asText()).isEqualTo("podman");
        assertThat(inspected.get("engine_reference").asText()).isEqualTo("agentkernel-" + run);
        assertThat(inspected.get("dockerfile").asText()).isEqualTo(runContext.resolve("Dockerfile").toString());
        assertThat(inspected.get("context").asText()).isEqualTo(runContext.toString());
        assertThat(inspected.get("labels").get("agentkernel.managed").asText()).isEqualTo("true");
        assertThat(inspected.get("labels").get("agentkernel.name").asText()).isEqualTo(run);
        assertThat(inspected.get("labels").get("greeting").asText()).isEqualTo("hello");
        assertThat(inspected.get("labels").get("stage").asText()).isEqualTo("tools");
        assertThat(CliRun.run(home, "images", "inspect", run).out()).contains("Engine:     podman (agentkernel-"
                + run + ")");

        CliRun removed = CliRun.run(home, "images", "rm", copy);
        assertThat(removed.exitCode()).isZero();
        assertThat(removed.out()).isEqualTo("removed " + copy + " and podman image agentkernel-" + copy + "\n");
        assertThat(podman.exists("agentkernel-" + copy)).isFalse();

        assertThat(podman.remove("agentkernel-" + run)).isTrue();
        CliRun synced = CliRun.run(home, "images", "sync");
        assertThat(synced.exitCode()).isZero();
        assertThat(synced.out()).isEqualTo("dropped " + run + " (podman no longer has agentkernel-" + run + ")\n");
        assertThat(CliRun.run(home, "images", "sync").out()).isEqualTo("nothing to drop\n");
        assertThat(CliRun.run(home, "images").out().lines().toList()).hasSize(1);
        try (var files = Files.list(home.resolve("images"))) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void removingAnImageTheEngineNoLongerHasIsFine() throws Exception {
        Path context = EngineFixtures.copyOnlyContext(tmp.resolve("ctx"));
        String name = name("gone");
        assertThat(CliRun.run(home, "build", "-t", name, context.toString()).exitCode()).isZero();
        podman.remove("agentkernel-" + name);

        CliRun removed = CliRun.run(home, "images", "rm", name);

        assertThat(removed.exitCode()).isZero();
        assertThat(removed.out()).contains("podman no longer had agentkernel-" + name);
        assertThat(removed.err()).isEmpty();
        assertThat(CliRun.run(home, "images", "--json").out().strip()).isEqualTo("[ ]");
    }
}
