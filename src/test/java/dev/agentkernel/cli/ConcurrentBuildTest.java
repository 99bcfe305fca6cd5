package dev.agentkernel.cli;

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

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Two {@code agentkernel build} processes (two JVMs) on one data directory at once lose nothing. */
@Tag("engine")
class ConcurrentBuildTest {
    @TempDir
    Path tmp;

    @Test
    void twoProcessesBuildingDifferentNamesBothLand() throws Exception {
        RequiredTools.requireRoot();
        RequiredTools.require("podman");
        ContainerEngine podman = ContainerEngine.detect(EngineChoice.PODMAN);
        Path home = tmp.resolve("home");
        Path first = EngineFixtures.copyOnlyContext(tmp.resolve("a"));
        Path second = EngineFixtures.runStepContext(tmp.resolve("b"));
        String a = EngineFixtures.uniqueName("conc-a");
        String b = EngineFixtures.uniqueName("conc-b");
        List<Process> processes = new ArrayList<>();
        try {
            processes.add(startBuild(home, a, first, tmp.resolve("a.log")));
            processes.add(startBuild(home, b, second, tmp.resolve("b.log")));
            for (Process p : processes) {
                assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("build finished").isTrue();
            }
            assertThat(processes.get(0).exitValue()).as(java.nio.file.Files.readString(tmp.resolve("a.log")))
                    .isZero();
            assertThat(processes.get(1).exitValue()).as(java.nio.file.Files.readString(tmp.resolve("b.log")))
                    .isZero();

            ImageStore.Listing listing = new ImageStore(AgentkernelHome.at(home)).list();
            assertThat(listing.problems()).isEmpty();
            assertThat(listing.images()).extracting(ImageRecord::name).containsExactlyInAnyOrder(a, b);
            for (ImageRecord r : listing.images()) {
                assertThat(podman.inspect(r.engineReference()).id()).isEqualTo(r.id());
            }
        } finally {
            processes.forEach(p -> {
                if (p.isAlive()) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                }
            });
            podman.remove("agentkernel-" + a);
            podman.remove("agentkernel-" + b);
        }
    }

    /** {@code java -cp <test class path> dev.agentkernel.cli.Main build ...} with its own data directory. */
    private static Process startBuild(Path home, String name, Path context, Path log) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "build", "-t", name, "--engine", "podman", context.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("AGENTKERNEL_HOME", home.toString());
        return pb.start();
    }
}
