package dev.agentkernel.vm;

import dev.agentkernel.agent.AgentChannel;
import dev.agentkernel.agent.AgentClient;
import dev.agentkernel.agent.AgentPortLayout;
import dev.agentkernel.agent.VirtioSerialTransport;
import dev.agentkernel.agent.AgentProtocolChecks;
import dev.agentkernel.agent.AgentRequest;
import dev.agentkernel.agent.RunResult;
import dev.agentkernel.store.AgentkernelHome;
import dev.agentkernel.testing.BusyboxImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One real microVM (QEMU microvm, TCG here) booted from a Podman-built image converted by the project, with
 * the distribution kernel and the generated initramfs; many protocol checks share it.
 */
@Tag("qemu")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class SandboxVmTest {
    private Path work;

    private BusyboxImages images;
    private AgentkernelHome home;
    private Path cachedRootfs;
    private String cachedHashBefore;
    private Sandbox sandbox;
    private AgentClient agent;

    @BeforeAll
    void boot() throws IOException {
        VmFixtures.requireQemuAndKernel();
        work = Files.createTempDirectory("ak-vm-test");
        images = new BusyboxImages(work);
        home = AgentkernelHome.at(work.resolve("home"));
        cachedRootfs = VmFixtures.convert(home, VmFixtures.busyboxArchive(images), true);
        cachedHashBefore = VmFixtures.sha256(cachedRootfs);
        sandbox = Sandbox.start(home, VmFixtures.options(cachedRootfs), System.getenv());
        agent = sandbox.agent();
    }

    @AfterAll
    void cleanUp() {
        if (sandbox != null) {
            sandbox.close();
        }
        if (images != null) {
            images.close();
        }
        if (work != null) {
            Sandbox.deleteTree(work);
        }
    }

    @Test
    @Order(1)
    void theGuestRunsTheHostsKernel() {
        RunResult r = agent.run(new AgentRequest.Run(List.of("uname", "-r")));
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout().trim()).isEqualTo(KernelLocator.system().locate(null).release());
        assertThat(agent.run(new AgentRequest.Run(List.of("cat", "/etc/greeting"))).stdout()).isEqualTo("hello\n");
        assertThat(agent.run(new AgentRequest.Run(List.of("hostname"))).stdout()).isEqualTo("agentkernel\n");
    }

    @Test
    @Order(2)
    void exitCodesStreamsEnvironmentAndWorkingDirectory() {
        AgentProtocolChecks.exitCodesAndStreamsApart(agent);
        AgentProtocolChecks.outputThatIsNotTextArrivesExactly(agent);
        AgentProtocolChecks.environmentAndWorkingDirectory(agent, "/root/work");
        AgentProtocolChecks.missingProgram(agent);
    }

    @Test
    @Order(3)
    void filesMkdirAndRemove() {
        AgentProtocolChecks.binaryFileRoundTripAndRemoval(agent, "/root/files");
        agent.writeFile("/root/kept.txt", "written in the sandbox".getBytes());
    }

    @Test
    @Order(4)
    void timeoutAndOutputLimit() {
        AgentProtocolChecks.timeoutKillsTheCommand(agent);
        AgentProtocolChecks.outputBeyondTheLimitIsCutAndFlagged(agent);
    }

    @Test
    @Order(5)
    void malformedAndOversizedFrames() throws IOException {
        // raw frames on a port of their own (port 0 is the sandbox's client): the agent serves every port
        try (AgentChannel raw = new VirtioSerialTransport(AgentPortLayout.socket(sandbox.directory(), 1))
                .connect(Instant.now().plusSeconds(10))) {
            AgentProtocolChecks.brokenFramesAreAnsweredAndTheStreamStaysInStep(raw);
        }
    }

    @Test
    @Order(6)
    void shutdownPowersTheVmOffAndNothingIsLeft() throws Exception {
        long pid = sandbox.monitorPid();
        Path dir = sandbox.directory();
        agent.shutdown(Duration.ofSeconds(30));
        ProcessHandle monitor = ProcessHandle.of(pid).orElse(null);
        if (monitor != null) {
            // QEMU ends by itself when the guest powers off (nothing kills it before close())
            assertThat(monitor.onExit().get(60, TimeUnit.SECONDS).isAlive()).isFalse();
        }
        sandbox.close();
        sandbox = null;
        assertThat(dir).doesNotExist();
        assertThat(VmFixtures.monitorsUnderAfterWaiting(home.root())).isEmpty();
        // the sandbox wrote files to its own copy; the cached rootfs is byte for byte what it was
        assertThat(VmFixtures.sha256(cachedRootfs)).isEqualTo(cachedHashBefore);
        assertThat(Files.exists(cachedRootfs)).isTrue();
    }
}
