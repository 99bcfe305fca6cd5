package dev.agentkernel.cli;

import dev.agentkernel.store.AgentkernelHome;
import dev.agentkernel.testing.AgentkernelProcess;
import dev.agentkernel.testing.BusyboxImages;
import dev.agentkernel.vm.VmFixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A one-shot {@code run} stopped by a signal while its command runs: SIGTERM and SIGINT stop it promptly and
 * leave nothing; after SIGKILL, which no process can clean up after, the next command removes what is left.
 */
@Tag("qemu")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RunSignalsTest {
    private Path work;
    private Path home;
    private BusyboxImages images;
    private String image;

    @BeforeAll
    void buildImage() throws IOException {
        VmFixtures.requireQemuAndKernel();
        work = Files.createTempDirectory("ak-run-signals");
        home = work.resolve("home");
        images = new BusyboxImages(work);
        image = VmFixtures.busyboxArchive(images);
        assertThat(CliRun.run(home, "rootfs", image).exitCode()).isZero(); // converted once, outside the timed part
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
            VmFixtures.deleteTree(work);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"TERM", "INT", "KILL"})
    void aSignalledRunLeavesNoMonitorAndNoSandbox(String signal) throws Exception {
        try (AgentkernelProcess run = AgentkernelProcess.start(home, "run", "--image", image, "--accel", "tcg",
                "--memory", "256", "--", "sh", "-c", "echo started; sleep 120")) {
            awaitRunningSandbox(run);
            Instant sent = Instant.now();
            run.signal(signal);
            run.waitFor(Duration.ofSeconds(30));
            assertThat(Duration.between(sent, Instant.now())).isLessThan(Duration.ofSeconds(20));
            if (signal.equals("KILL")) {
                // nothing could clean up: the monitor runs on, and the next command that looks removes it
                assertThat(VmFixtures.sandboxDirs(AgentkernelHome.at(home))).hasSize(1);
                CliRun list = CliRun.run(home, "list");
                assertThat(list.exitCode()).as(list.err()).isZero();
                assertThat(list.out()).doesNotContain("run-");
            }
            assertThat(VmFixtures.monitorsUnderAfterWaiting(home)).isEmpty();
            assertThat(VmFixtures.sandboxDirs(AgentkernelHome.at(home))).isEmpty();
            assertThat(home.resolve("pins")).satisfiesAnyOf(p -> assertThat(p).doesNotExist(),
                    p -> assertThat(p).isEmptyDirectory());
        }
    }

    /** Until the run's sandbox is booted (its monitor alive) and its command has started. */
    private void awaitRunningSandbox(AgentkernelProcess run) throws Exception {
        Instant deadline = Instant.now().plusSeconds(120);
        while (VmFixtures.monitorsUnder(home).isEmpty() || !Files.isDirectory(home.resolve("sandboxes"))
                || VmFixtures.sandboxDirs(AgentkernelHome.at(home)).isEmpty()) {
            assertThat(run.isAlive()).as("run ended early: " + run.err()).isTrue();
            assertThat(Instant.now()).isBefore(deadline);
            Thread.sleep(100);
        }
        Thread.sleep(3000); // the agent answers and the command starts (TCG boots take a few seconds)
    }
}
