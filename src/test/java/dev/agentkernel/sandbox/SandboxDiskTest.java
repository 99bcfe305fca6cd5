package dev.agentkernel.sandbox;

import dev.agentkernel.process.CommandRunner;
import dev.agentkernel.rootfs.DiskUsage;
import dev.agentkernel.testing.RequiredTools;
import dev.agentkernel.vm.Backend;
import dev.agentkernel.vm.VmFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Each backend's disk for a new sandbox, made from a sparse stand-in for a cached rootfs that must not change. */
class SandboxDiskTest {
    @TempDir
    Path tmp;

    private Path sparseRootfs() throws IOException {
        Path rootfs = tmp.resolve("rootfs.ext4");
        try (RandomAccessFile f = new RandomAccessFile(rootfs.toFile(), "rw")) {
            f.setLength(256L << 20);
            f.seek(1024);
            f.write("superblock-ish".getBytes());
            f.seek(200L << 20);
            f.write(new byte[1 << 20]);
            f.seek((200L << 20) + 4096);
            f.write("data far in".getBytes());
        }
        return rootfs;
    }

    @Test
    void firecrackerGetsASparseRawCopyAndTheRootfsStaysAsItWas() throws IOException {
        Path rootfs = sparseRootfs();
        String before = VmFixtures.sha256(rootfs);
        SandboxDirectory dir = new SandboxDirectory(Files.createDirectories(tmp.resolve("fc")));

        SandboxDisk.create(rootfs, dir, Backend.FIRECRACKER);

        assertThat(dir.diskBackend()).isEqualTo(Backend.FIRECRACKER);
        assertThat(dir.diskFile()).isEqualTo(dir.rawDisk());
        assertThat(dir.disk()).doesNotExist();
        assertThat(Files.mismatch(rootfs, dir.rawDisk())).as("byte for byte the rootfs").isEqualTo(-1);
        assertThat(DiskUsage.of(dir.rawDisk(), Files.size(dir.rawDisk()))).as("holes kept")
                .isLessThan(16L << 20);
        assertThat(VmFixtures.sha256(rootfs)).isEqualTo(before);
    }

    @Test
    void qemuGetsAQcow2OverlayBackedByTheRootfs() throws IOException {
        RequiredTools.require("qemu-img");
        Path rootfs = sparseRootfs();
        SandboxDirectory dir = new SandboxDirectory(Files.createDirectories(tmp.resolve("qemu")));

        SandboxDisk.create(rootfs, dir, Backend.QEMU);

        assertThat(dir.diskBackend()).isEqualTo(Backend.QEMU);
        assertThat(dir.diskFile()).isEqualTo(dir.disk());
        CommandRunner.Result info = CommandRunner.run(List.of("qemu-img", "info", "--output=json", dir.disk().toString()),
                Duration.ofSeconds(30));
        assertThat(info.stdout()).contains("\"format\": \"qcow2\"").contains("\"backing-filename\": \"" + rootfs + "\"");
        assertThat(Files.size(dir.disk())).isLessThan(1L << 20);
    }
}
