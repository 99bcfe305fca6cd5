package dev.agentkernel.vm;

import dev.agentkernel.errors.VmException;
import dev.agentkernel.image.source.SourceSpec;
import dev.agentkernel.rootfs.AgentChoice;
import dev.agentkernel.rootfs.RootfsConverter;
import dev.agentkernel.rootfs.RootfsOptions;
import dev.agentkernel.store.AgentkernelHome;
import dev.agentkernel.testing.BusyboxImages;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A VM that boots and stays up but whose agent never answers: the boot timeout ends it with a clear error that
 * carries the last console lines, and nothing of the sandbox is left.
 */
@Tag("qemu")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class SilentAgentVmTest {
    /** Long enough for a TCG boot on a busy machine (2-8 s seen), short enough for the suite. */
    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(40);

    @Test
    void anAgentThatNeverAnswersTimesOutWithTheConsoleAndLeavesNothing(@TempDir Path work) throws Exception {
        VmFixtures.requireQemuAndKernel();
        AgentkernelHome home = AgentkernelHome.at(work.resolve("home"));
        Path silent = Files.writeString(work.resolve("silent-agent"), "#!/bin/sh\nexec sleep 100000\n");
        Path rootfs;
        try (BusyboxImages images = new BusyboxImages(work)) {
            rootfs = new RootfsConverter(home).convert(SourceSpec.parse(VmFixtures.busyboxArchive(images)),
                    RootfsOptions.defaults().withFreeBytes(64L << 20).withAgent(AgentChoice.file(silent))).path();
        }
        SandboxOptions defaults = VmFixtures.options(rootfs);
        SandboxOptions options = new SandboxOptions(rootfs, defaults.backend(), defaults.kernel(),
                defaults.accelerator(), defaults.memoryMb(), defaults.cpus(), BOOT_TIMEOUT, false);

        assertThatThrownBy(() -> Sandbox.start(home, options, System.getenv()))
                .isInstanceOf(VmException.class)
                .hasMessageContaining("did not answer within " + BOOT_TIMEOUT.toSeconds() + " s")
                .hasMessageContaining("Agentkernel guest ready"); // the console's last lines: /init got that far

        assertThat(VmFixtures.monitorsUnderAfterWaiting(home.root())).isEmpty();
        assertThat(VmFixtures.sandboxDirs(home)).isEmpty();
    }
}
