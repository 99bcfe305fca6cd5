package dev.agentkernel.engine;

import dev.agentkernel.errors.ToolException;
import dev.agentkernel.errors.UserInputException;
import dev.agentkernel.testing.RequiredTools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class EngineDetectorTest {
    @TempDir
    Path bin;

    @Test
    void autoTakesPodmanWhenDockerIsAbsentAndSaysWhy() throws Exception {
        Files.createSymbolicLink(bin.resolve("podman"), RequiredTools.require("podman"));
        Files.createSymbolicLink(bin.resolve("buildah"), RequiredTools.require("buildah"));

        EngineDetector.Detection d = EngineDetector.withPath(bin.toString()).detect(EngineChoice.AUTO);

        assertThat(d.engine().kind()).isEqualTo(EngineKind.PODMAN);
        assertThat(d.describe()).isEqualTo("using podman (docker is not installed)");
    }

    @Test
    void autoFallsBackToBuildah() throws Exception {
        Files.createSymbolicLink(bin.resolve("buildah"), RequiredTools.require("buildah"));
        EngineDetector.Detection d = EngineDetector.withPath(bin.toString()).detect(EngineChoice.AUTO);
        assertThat(d.engine().kind()).isEqualTo(EngineKind.BUILDAH);
        assertThat(d.reason()).contains("podman is not installed");
    }

    @Test
    void autoSkipsADockerCliWithoutDaemon() throws Exception {
        // The Docker CLI is optional (install-deps does not install it): without it there is nothing to check.
        Path docker = EngineDetector.forThisMachine().find(EngineKind.DOCKER).orElse(null);
        assumeTrue(docker != null, "no docker CLI on this machine");
        Files.createSymbolicLink(bin.resolve("docker"), docker);
        Files.createSymbolicLink(bin.resolve("podman"), RequiredTools.require("podman"));
        EngineDetector detector = EngineDetector.withPath(bin.toString());
        EngineDetector.Detection d = detector.detect(EngineChoice.AUTO);
        assumeFalse(d.engine().kind() == EngineKind.DOCKER, "a Docker daemon runs on this machine");

        assertThat(d.describe()).isEqualTo("using podman (no Docker daemon answered)");
        assertThatThrownBy(() -> detector.detect(EngineChoice.DOCKER))
                .isInstanceOf(ToolException.class)
                .hasMessageStartingWith("docker is installed but no Docker daemon answers")
                .hasMessageEndingWith("start the daemon, or use --engine podman");
    }

    @Test
    void noEngineNamesWhatToInstall() {
        EngineDetector detector = EngineDetector.withPath(bin.toString());
        // /usr/sbin and /sbin are searched too; no engine lives there on Debian.
        assertThatThrownBy(() -> detector.detect(EngineChoice.AUTO))
                .isInstanceOf(ToolException.class)
                .hasMessageContaining("no container engine found")
                .hasMessageContaining("apt-get install podman")
                .hasMessageContaining("apt-get install buildah");
        assertThatThrownBy(() -> detector.detect(EngineChoice.PODMAN))
                .isInstanceOf(ToolException.class)
                .hasMessage("podman is not installed: install Podman (apt-get install podman), or choose another"
                        + " engine with --engine");
    }

    @Test
    void choicesParseCaseInsensitivelyAndRejectOthers() {
        assertThat(EngineChoice.parse("Podman")).isEqualTo(EngineChoice.PODMAN);
        assertThat(EngineChoice.parse("auto")).isEqualTo(EngineChoice.AUTO);
        assertThatThrownBy(() -> EngineChoice.parse("containerd"))
                .isInstanceOf(UserInputException.class)
                .hasMessage("unknown engine 'containerd': use auto, docker, podman or buildah");
    }
}
