package dev.agentkernel.sandbox;

import dev.agentkernel.agent.RunResult;
import dev.agentkernel.rootfs.ConversionListener;
import dev.agentkernel.store.AgentkernelHome;
import dev.agentkernel.store.FileLocks;
import dev.agentkernel.testing.DebianImage;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A persistent sandbox from a real distribution (the cached Debian bookworm image of {@link DebianImage}),
 * created through the sandbox service and driven through {@link SandboxExec}: its python3 and bash run, the
 * image's config applies, its named user is there; removing it leaves no monitor, lock or directory.
 */
@Tag("qemu")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class DebianSandboxTest {
    private static final SandboxName NAME = SandboxName.of("debian");

    private Path work;
    private AgentkernelHome home;
    private SandboxService service;
    private SandboxExec exec;

    @BeforeAll
    void create() throws IOException {
        VmFixtures.requireQemuAndKernel();
        String source = DebianImage.source(); // minutes the first time on a machine, then cached
        work = Files.createTempDirectory("ak-debian-test");
        home = AgentkernelHome.at(work.resolve("home"));
        service = new SandboxService(home, System.getenv());
        exec = new SandboxExec(service);
        service.create(new CreateRequest(NAME, source, 256, 1, Map.of(), null, Map.of(), null, true, "qemu", null,
                "tcg", null, null), ConversionListener.NONE);
    }

    @AfterAll
    void remove() {
        try {
            if (service != null && service.store().exists(NAME)) {
                service.remove(NAME, true);
                assertThat(VmFixtures.monitorsUnderAfterWaiting(home.root())).isEmpty();
                assertThat(VmFixtures.sandboxDirs(home)).isEmpty();
                Optional<FileLocks.Held> lock = FileLocks.tryExclusive(home.locks().resolve("sandbox-" + NAME + ".lock"));
                assertThat(lock).as("the sandbox's lock is free").isPresent();
                lock.get().close();
            }
        } finally {
            if (work != null) {
                VmFixtures.deleteTree(work);
            }
        }
    }

    private RunResult run(String... command) {
        return exec.run(NAME, ExecRequest.of(List.of(command)));
    }

    @Test
    void python3Runs() {
        RunResult r = run("python3", "-c", "print(6*7)");
        assertThat(r.stderr()).isEmpty();
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).isEqualTo("42\n");
    }

    @Test
    void bashRuns() {
        RunResult r = run("bash", "-c", "echo $BASH_VERSION");
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).matches("5\\.2\\.\\d+\\(\\d+\\)-release\n"); // bookworm's bash
    }

    @Test
    void theImageConfigApplies() {
        RunResult r = run("sh", "-c", "pwd; echo $PATH; id -u");
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).isEqualTo(DebianImage.WORKING_DIR + "\n" + DebianImage.PATH + "\n0\n");
    }

    @Test
    void theNamedUserAndGroupsAreThere() {
        RunResult r = run("id", DebianImage.USER);
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).isEqualTo("uid=" + DebianImage.UID + "(" + DebianImage.USER + ") gid=" + DebianImage.GID
                + "(" + DebianImage.GROUP + ") groups=" + DebianImage.GID + "(" + DebianImage.GROUP + "),"
                + DebianImage.EXTRA_GID + "(" + DebianImage.EXTRA_GROUP + ")\n");
        assertThat(run("stat", "-c", "%u:%g", "/home/" + DebianImage.USER).stdout())
                .isEqualTo(DebianImage.UID + ":" + DebianImage.GID + "\n");
    }
}
