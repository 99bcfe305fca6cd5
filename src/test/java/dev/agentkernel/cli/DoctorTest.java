package dev.agentkernel.cli;

import dev.agentkernel.store.AgentkernelHome;
import dev.agentkernel.vm.KernelLocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class DoctorTest {
    @TempDir
    Path dir;

    @Test
    void thisMachinePassesWithTheKernelAndMonitorInstallDepsInstalls() {
        CliRun r = CliRun.run(dir.resolve("home"), "doctor");
        assertThat(r.exitCode()).as(r.out()).isZero();
        assertThat(r.out()).containsPattern("(?m)^ok +kernel +/").containsPattern("(?m)^ok +monitor qemu +/")
                .containsPattern("(?m)^ok +driver ext4 ").containsPattern("(?m)^ok +driver virtio_net ")
                .containsPattern("(?m)^ok +network +QEMU user network").containsPattern("(?m)^ok +data directory ")
                .containsPattern("(?m)^(ok|warning) +disk space +[0-9.]+ [kMGT]?B free");
    }

    @Test
    void aMissingKernelAndAnUnusableDataDirectoryAreErrorsSayingWhatToDo() throws Exception {
        Path boot = Files.createDirectory(dir.resolve("boot"));
        Path notADirectory = Files.writeString(dir.resolve("file"), "x");
        List<DoctorChecks.Finding> findings = new DoctorChecks(AgentkernelHome.at(notADirectory.resolve("home")),
                new KernelLocator(boot, dir.resolve("modules"), Map.of()), Map.of("PATH", "")).run();
        assertThat(findings).anySatisfy(f -> {
            assertThat(f.level()).isEqualTo(DoctorChecks.Level.ERROR);
            assertThat(f.subject()).isEqualTo("kernel");
        });
        assertThat(findings).anySatisfy(f -> {
            assertThat(f.level()).isEqualTo(DoctorChecks.Level.ERROR);
            assertThat(f.subject()).isEqualTo("data directory");
            assertThat(f.detail()).contains("is not a directory").contains("AGENTKERNEL_HOME");
        });
        assertThat(findings).anySatisfy(f -> {
            assertThat(f.level()).isEqualTo(DoctorChecks.Level.WARNING);
            assertThat(f.subject()).isEqualTo("engines");
        });
    }
}
