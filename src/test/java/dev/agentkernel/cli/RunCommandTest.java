package dev.agentkernel.cli;

import dev.agentkernel.store.AgentkernelHome;
import dev.agentkernel.testing.BusyboxImages;
import dev.agentkernel.vm.VmFixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code agentkernel run} end to end on a Podman-built image: conversion, boot under QEMU, the command's
 * output on the right streams and its exit code, and the failure paths, each leaving nothing behind.
 */
@Tag("qemu")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RunCommandTest {
    private Path work;
    private Path home;
    private BusyboxImages images;
    private String image;

    @BeforeAll
    void buildImage() throws IOException {
        VmFixtures.requireQemuAndKernel();
        work = Files.createTempDirectory("ak-run-test");
        home = work.resolve("home");
        images = new BusyboxImages(work);
        image = VmFixtures.busyboxArchive(images);
    }

    @AfterAll
    void cleanUp() {
        if (home != null) {
            VmFixtures.removeEverySandbox(home); // a failed case may have left its sandbox; its assertion says so
        }
        if (images != null) {
            images.close();
        }
        if (work != null) {
            dev.agentkernel.vm.VmFixtures.deleteTree(work);
        }
    }

    private void assertNothingLeft() {
        assertThat(VmFixtures.sandboxDirs(AgentkernelHome.at(home))).isEmpty();
        assertThat(VmFixtures.monitorsUnderAfterWaiting(home)).isEmpty();
    }

    @Test
    void runsTheCommandAndExitsWithItsCode() {
        CliRun r = CliRun.run(home, "run", "--image", image, "--accel", "tcg", "--memory", "256",
                "-e", "GREETING=hi there", "-w", "/etc", "--",
                "sh", "-c", "echo \"$GREETING\"; pwd; cat greeting; echo to-stderr >&2; exit 5");
        assertThat(r.exitCode()).as(r.err()).isEqualTo(5);
        assertThat(r.out()).isEqualTo("hi there\n/etc\nhello\n");
        assertThat(r.err()).contains("to-stderr").doesNotContain("hi there");
        assertNothingLeft();
    }

    @Test
    void aCommandOverItsTimeoutIsKilledAndExits124() {
        CliRun r = CliRun.run(home, "run", "--image", image, "--accel", "tcg", "--memory", "256", "--timeout", "2", "--",
                "sh", "-c", "echo before; sleep 60; echo after");
        assertThat(r.exitCode()).as(r.err()).isEqualTo(124);
        assertThat(r.out()).isEqualTo("before\n");
        assertThat(r.err()).contains("timed out after 2 s");
        assertNothingLeft();
    }

    @Test
    void anImageWithoutTheAgentFailsWithOneClearMessage() {
        Path noAgent = VmFixtures.convert(AgentkernelHome.at(home), image, false);
        CliRun r = CliRun.run(home, "run", "--rootfs", noAgent.toString(), "--accel", "tcg", "--memory", "256", "--", "true");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).startsWith("agentkernel: the VM stopped before its agent answered")
                .contains("/usr/bin/agent is missing");
        assertNothingLeft();
    }

    @Test
    void aMissingKernelIsBadInput() {
        Path home = work.resolve("home-missing-kernel");
        CliRun r = CliRun.run(home, "run", "--image", image, "--kernel", work.resolve("vmlinuz-none").toString(), "--", "true");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("kernel").contains("does not exist");
        assertThat(home).doesNotExist(); // checked before converting: nothing was written at all
    }

    @Test
    void aKernelWithoutTheDriversIsRefusedBeforeBooting() throws IOException {
        Path fakeBoot = Files.createDirectories(work.resolve("fake-boot"));
        Path kernel = Files.writeString(fakeBoot.resolve("vmlinuz-0.0-nodrivers"), "not really a kernel");
        Files.writeString(fakeBoot.resolve("config-0.0-nodrivers"), "CONFIG_EXT4_FS=y\nCONFIG_VIRTIO_BLK=n\n");
        Path home = work.resolve("home-bad-kernel");
        CliRun r = CliRun.run(home, "run", "--image", image, "--kernel", kernel.toString(), "--", "true");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("cannot boot sandboxes").contains("virtio_blk (CONFIG_VIRTIO_BLK");
        assertThat(home.resolve("rootfs")).doesNotExist();
        assertThat(home.resolve("sandboxes")).doesNotExist();
    }

    @Test
    void imageOrRootfsIsRequired() {
        CliRun r = CliRun.run(home, "run", "--", "true");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--image SOURCE or --rootfs FILE");
    }
}
