package dev.agentkernel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.store.AgentkernelHome;
import dev.agentkernel.testing.AgentkernelProcess;
import dev.agentkernel.testing.BusyboxImages;
import dev.agentkernel.vm.VmFixtures;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Persistent sandboxes through the command line, on real QEMU VMs: one sandbox lives through the whole class
 * (create, exec, stop, start, killed from outside, started again, removed), so the class boots only a few VMs.
 */
@Tag("qemu")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class SandboxLifecycleTest {
    private Path work;
    private Path home;
    private BusyboxImages images;
    private String image;
    private Path cachedRootfs;
    private String cachedDigest;

    @BeforeAll
    void createSandbox() throws IOException {
        VmFixtures.requireQemuAndKernel();
        work = Files.createTempDirectory("ak-sb-test");
        home = work.resolve("home");
        images = new BusyboxImages(work);
        image = VmFixtures.busyboxArchive(images);
        CliRun r = cli("create", "life", "--image", image, "--accel", "tcg", "--memory", "256", "-e", "FROM_CREATE=yes",
                "-l", "team=qa");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("life\n");
        cachedRootfs = Path.of(inspect("life").get("rootfs").asText());
        cachedDigest = VmFixtures.sha256(cachedRootfs);
    }

    @AfterAll
    void cleanUp() {
        VmFixtures.tearDown(home, work, images);
    }

    private CliRun cli(String... args) {
        return CliRun.run(home, args);
    }

    private JsonNode inspect(String name) throws IOException {
        return CliRun.inspect(home, name);
    }

    private String status(String name) throws IOException {
        return inspect(name).get("status").asText();
    }

    @Test
    @Order(1)
    void aNewSandboxRunsWithTheImagesAndItsOwnSettingsAndCostsLittleDisk() throws IOException {
        assertThat(status("life")).isEqualTo("running");
        JsonNode info = inspect("life");
        assertThat(info.get("disk_bytes").asLong()).isPositive().isLessThan(32L << 20);
        assertThat(info.get("labels").get("team").asText()).isEqualTo("qa");
        CliRun r = cli("exec", "life", "--", "sh", "-c", "echo $FROM_CREATE $FROM_EXEC; cat /etc/greeting; exit 3");
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.out()).isEqualTo("yes\nhello\n");
        r = cli("exec", "-e", "FROM_EXEC=also", "life", "--", "sh", "-c", "echo $FROM_CREATE $FROM_EXEC");
        assertThat(r.out()).isEqualTo("yes also\n");
        CliRun list = cli("list", "-l", "team=qa");
        assertThat(list.out()).contains("life").contains("running").contains("256 MB");
        assertThat(cli("ls", "-l", "team=other").out()).doesNotContain("life");
    }

    @Test
    @Order(2)
    void writesSurviveStopAndStartAndNeverReachTheCachedRootfs() throws IOException {
        CliRun w = cli("exec", "life", "--", "sh", "-c",
                "dd if=/dev/urandom of=/root/big bs=1M count=48 2>/dev/null && rm -f /etc/greeting && sync"
                        + " && md5sum /root/big");
        assertThat(w.exitCode()).as(w.err()).isZero();
        String sum = w.out();
        assertThat(inspect("life").get("disk_bytes").asLong()).isGreaterThan(40L << 20);
        CliRun stop = cli("stop", "life");
        assertThat(stop.exitCode()).as(stop.err()).isZero();
        assertThat(status("life")).isEqualTo("stopped");
        assertThat(VmFixtures.monitorsUnderAfterWaiting(home)).isEmpty();
        assertThat(cli("exec", "life", "--", "true").exitCode()).isEqualTo(2);
        CliRun start = cli("start", "life");
        assertThat(start.exitCode()).as(start.err()).isZero();
        assertThat(cli("exec", "life", "--", "md5sum", "/root/big").out()).isEqualTo(sum);
        assertThat(cli("exec", "life", "--", "ls", "/etc/greeting").exitCode()).isNotZero();
        assertThat(VmFixtures.sha256(cachedRootfs)).isEqualTo(cachedDigest);
    }

    @Test
    @Order(2)
    void eightCommandsRunAtOnceAndASleepDelaysNoEcho() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(9);
        try {
            java.time.Instant start = java.time.Instant.now();
            Future<CliRun> sleeper = pool.submit(() -> cli("exec", "life", "--", "sh", "-c", "sleep 6; echo slept"));
            Thread.sleep(500);
            List<Future<CliRun>> echoes = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String word = "echo-" + i;
                echoes.add(pool.submit(() -> cli("exec", "life", "--", "echo", word)));
            }
            for (int i = 0; i < 8; i++) {
                CliRun r = echoes.get(i).get(2, TimeUnit.MINUTES);
                assertThat(r.exitCode()).as(r.err()).isZero();
                assertThat(r.out()).isEqualTo("echo-" + i + "\n");
            }
            assertThat(sleeper.isDone()).as("the echoes did not wait for the sleep").isFalse();
            assertThat(sleeper.get(2, TimeUnit.MINUTES).out()).isEqualTo("slept\n");
            assertThat(java.time.Duration.between(start, java.time.Instant.now())).isLessThan(java.time.Duration.ofSeconds(60));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @Order(3)
    void aCliKilledMidExecLeavesTheSandboxRunningAndUsable() throws Exception {
        try (dev.agentkernel.testing.AgentkernelProcess exec = dev.agentkernel.testing.AgentkernelProcess.start(home,
                "exec", "life", "--", "sh", "-c", "echo started; sleep 60")) {
            Thread.sleep(4000); // its JVM starts and the command runs
            exec.signal("KILL");
            exec.waitFor(java.time.Duration.ofSeconds(20));
        }
        assertThat(status("life")).isEqualTo("running");
        for (int i = 0; i < 3; i++) { // whichever port the killed one held, every port still works
            CliRun r = cli("exec", "life", "--", "echo", "still here");
            assertThat(r.exitCode()).as(r.err()).isZero();
            assertThat(r.out()).isEqualTo("still here\n");
        }
    }

    @Test
    @Order(4)
    void aMonitorKilledFromOutsideIsExitedWithWhyAndStartsAgain() throws IOException {
        long pid = inspect("life").get("pid").asLong();
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        VmFixtures.monitorsUnderAfterWaiting(home);
        JsonNode info = inspect("life");
        assertThat(info.get("status").asText()).isEqualTo("exited");
        assertThat(info.get("exit_reason").asText()).contains("pid " + pid);
        assertThat(cli("inspect", "life").out()).contains("Last console lines:");
        assertThat(cli("logs", "life").out()).contains("Agentkernel guest ready");
        CliRun start = cli("start", "life");
        assertThat(start.exitCode()).as(start.err()).isZero();
        assertThat(cli("exec", "life", "--", "test", "-s", "/root/big").exitCode()).isZero();
    }

    @Test
    @Order(5)
    void theCachedRootfsOfASandboxIsKeptByPruneAndImagesRm() {
        CliRun prune = cli("rootfs", "prune");
        assertThat(prune.exitCode()).as(prune.err()).isZero();
        assertThat(prune.out()).contains("kept " + cachedRootfs).contains("used by sandbox life");
        assertThat(cachedRootfs).exists();
    }

    @Test
    @Order(6)
    void badNamesTakenNamesAndRemovingARunningSandboxAreBadInput() {
        assertThat(cli("create", "-bad", "--image", image).exitCode()).isEqualTo(2);
        assertThat(cli("create", "a".repeat(64), "--image", image).exitCode()).isEqualTo(2);
        CliRun taken = cli("create", "life", "--image", image, "--no-start");
        assertThat(taken.exitCode()).isEqualTo(2);
        assertThat(taken.err()).contains("already exists");
        CliRun rm = cli("rm", "life");
        assertThat(rm.exitCode()).isEqualTo(2);
        assertThat(rm.err()).contains("is running").contains("-f");
        assertThat(cli("exec", "nosuch", "--", "true").err()).contains("no sandbox named 'nosuch'");
    }

    @Test
    @Order(7)
    void twoCreatesOfOneNameMakeOneSandbox() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Callable<CliRun> create = () -> cli("create", "twin", "--image", image, "--no-start");
            List<Future<CliRun>> runs = new ArrayList<>(List.of(pool.submit(create), pool.submit(create)));
            List<Integer> codes = new ArrayList<>();
            for (Future<CliRun> f : runs) {
                codes.add(f.get(2, TimeUnit.MINUTES).exitCode());
            }
            assertThat(codes).containsExactlyInAnyOrder(0, 2);
        } finally {
            pool.shutdownNow();
        }
        assertThat(cli("inspect", "twin").out()).contains("stopped");
        assertThat(cli("rm", "twin").exitCode()).isZero();
    }

    @Test
    @Order(8)
    void timeToLive() throws Exception {
        assertThat(cli("create", "short", "--image", image, "--no-start", "--ttl", "1s").exitCode()).isZero();
        assertThat(cli("extend-ttl", "life", "--by", "1h").exitCode()).isEqualTo(2);
        assertThat(cli("create", "long", "--image", image, "--no-start", "--ttl", "1h").exitCode()).isZero();
        CliRun extended = cli("extend-ttl", "long", "--by", "1h");
        assertThat(extended.exitCode()).as(extended.err()).isZero();
        assertThat(java.time.Instant.parse(extended.out().trim()))
                .isAfter(java.time.Instant.now().plus(java.time.Duration.ofMinutes(110)));
        Thread.sleep(1500);
        CliRun gc = cli("sandbox", "gc");
        assertThat(gc.out()).isEqualTo("short\n");
        assertThat(cli("sb", "ls").out()).doesNotContain("short").contains("long").contains("life");
        assertThat(cli("rm", "long").exitCode()).isZero();
    }

    @Test
    @Order(9)
    void removingASandboxDuringAnExecEndsItClearlyAndLeavesNothing() throws Exception {
        try (AgentkernelProcess exec = AgentkernelProcess.start(home, "exec", "life", "--", "sh", "-c",
                "echo started; exec sleep 300")) {
            java.time.Instant deadline = java.time.Instant.now().plusSeconds(30);
            while (!exec.out().contains("started")) {
                assertThat(java.time.Instant.now()).as("the exec started; stderr: %s", exec.err()).isBefore(deadline);
                Thread.sleep(50);
            }
            CliRun rm = cli("rm", "-f", "life");
            assertThat(rm.exitCode()).as(rm.err()).isZero();
            assertThat(exec.waitFor(java.time.Duration.ofSeconds(60))).isNotZero();
            assertThat(exec.err()).contains("sandbox 'life' was removed while the command ran");
        }
        assertThat(VmFixtures.sandboxDirs(AgentkernelHome.at(home))).isEmpty();
        assertThat(VmFixtures.monitorsUnderAfterWaiting(home)).isEmpty();
        assertThat(home.resolve("pins")).isEmptyDirectory();
        assertThat(cli("rootfs", "prune").out()).contains("removed " + cachedRootfs);
    }
}
