package dev.agentkernel.sandbox;

import dev.agentkernel.rootfs.DiskUsage;
import dev.agentkernel.testing.RequiredTools;
import dev.agentkernel.testing.TestProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The build VM's scratch disk: a clean, empty, sparse ext4 file system, the same bytes every time. */
class ScratchDiskTest {
    @TempDir
    Path tmp;

    @Test
    void anEmptyCleanSparseExt4LabelledForTheGuest() throws Exception {
        long size = 32L << 30;
        Path disk = tmp.resolve("scratch.ext4");
        ScratchDisk.create(disk, size);
        assertThat(Files.size(disk)).isEqualTo(size);
        assertThat(DiskUsage.of(disk, size)).as("bytes on the host's disk").isLessThan(8L << 20);
        TestProcess.Result fsck = TestProcess.runAllowingFailure(List.of(RequiredTools.require("e2fsck").toString(), "-fn",
                disk.toString()), Duration.ofMinutes(1));
        assertThat(fsck.exitCode()).as(fsck.stdout() + fsck.stderr()).isZero();
        TestProcess.Result label = TestProcess.run(List.of(RequiredTools.require("dumpe2fs").toString(), "-h",
                disk.toString()), Duration.ofMinutes(1));
        assertThat(label.stdout()).contains("Filesystem volume name:   " + ScratchDisk.LABEL)
                .doesNotContain("has_journal");
        try (var files = Files.list(tmp)) {
            assertThat(files).as("no temporary left").containsExactly(disk);
        }
    }

    @Test
    void theSameBytesEveryTimeSoARestoredVmSeesWhatTheSavedOneProbed() throws Exception {
        Path a = tmp.resolve("a.ext4");
        Path b = tmp.resolve("b.ext4");
        ScratchDisk.create(a, 64L << 20);
        ScratchDisk.create(b, 64L << 20);
        assertThat(Files.mismatch(a, b)).isEqualTo(-1);
    }

    @Test
    void sizesOutsideTheLimitsAreRefused() {
        assertThatThrownBy(() -> ScratchDisk.create(tmp.resolve("x"), 1L << 20)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ScratchDisk.checkSize((64L << 20) + 1)).hasMessageContaining("4 KiB");
        assertThat(tmp.resolve("x")).doesNotExist();
    }
}
