package dev.agentkernel.cli;

import dev.agentkernel.vm.VmFixtures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

@Tag("qemu")
class SetupCommandTest {
    @TempDir
    Path home;

    @Test
    void reportsTheDriversAndStoresTheInitramfs() throws IOException {
        VmFixtures.requireQemuAndKernel();
        CliRun r = CliRun.run(home, "setup", "--accel", "tcg");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("kernel ").contains("virtio_blk").contains("virtio_console").contains("ext4")
                .contains("accelerator  tcg").contains("monitor      qemu");
        boolean modular = r.out().contains("virtio_blk                   module");
        try (Stream<Path> files = Files.walk(home.resolve("kernels"))) {
            long archives = files.filter(p -> p.getFileName().toString().equals("initramfs.cpio")).count();
            assertThat(archives).isEqualTo(modular ? 1 : 0);
        }
        // a second setup reuses the stored initramfs
        CliRun again = CliRun.run(home, "setup", "--accel", "tcg");
        assertThat(again.out()).isEqualTo(r.out());
    }
}
