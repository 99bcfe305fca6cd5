package dev.agentkernel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentkernel.sandbox.ExecRequest;
import dev.agentkernel.sandbox.SandboxName;
import dev.agentkernel.sandbox.SandboxProcesses;
import dev.agentkernel.sandbox.SandboxService;
import dev.agentkernel.store.AgentkernelHome;
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
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pause and resume, fork and named snapshots on real QEMU: one sandbox runs a counter loop through the whole
 * class; pausing stops it (and the monitor's CPU use), resuming continues it, a fork and a restored snapshot
 * carry it on while diverging from the original.
 */
@Tag("qemu")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class PauseForkSnapshotTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String COUNTER = "i=0; while :; do i=$((i+1)); echo $i > /tmp/count; sleep 0.2; done";

    private Path work;
    private Path home;
    private BusyboxImages images;
    private String image;
    private SandboxService service;

    @BeforeAll
    void setUp() throws IOException {
        VmFixtures.requireQemuAndKernel();
        work = Files.createTempDirectory("ak-pause-test");
        home = work.resolve("home");
        images = new BusyboxImages(work);
        image = VmFixtures.busyboxArchive(images);
        service = new SandboxService(AgentkernelHome.at(home), System.getenv());
        CliRun r = cli("create", "src", "--image", image, "--accel", "tcg", "-e", "ROLE=src");
        assertThat(r.exitCode()).as(r.err()).isZero();
        new SandboxProcesses(service).detach(SandboxName.of("src"), ExecRequest.of(List.of("sh", "-c", COUNTER)));
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

    private String exec(String name, String script) {
        return CliRun.shell(home, name, script);
    }

    private long count(String name) {
        return Long.parseLong(exec(name, "cat /tmp/count").strip());
    }

    /** The monitor's user and system CPU time in clock ticks. */
    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    @Test
    @Order(1)
    void pauseStopsTheGuestAndItsCpuUseAndResumeContinuesIt() throws Exception {
        Thread.sleep(1500);
        long before = count("src");
        assertThat(before).isPositive();
        CliRun pause = cli("pause", "src");
        assertThat(pause.exitCode()).as(pause.err()).isZero();
        assertThat(inspect("src").get("status").asText()).isEqualTo("paused");
        long pid = inspect("src").get("pid").asLong();
        long ticks = cpuTicks(pid);
        Thread.sleep(3000);
        assertThat(cpuTicks(pid) - ticks).as("CPU ticks of a paused monitor in 3 s").isLessThanOrEqualTo(10);
        CliRun refused = cli("exec", "src", "--", "true");
        assertThat(refused.exitCode()).isNotZero();
        assertThat(refused.err()).contains("is paused").contains("agentkernel resume src");
        CliRun resume = cli("resume", "src");
        assertThat(resume.exitCode()).as(resume.err()).isZero();
        long after = count("src");
        assertThat(after - before).as("counter steps over 3 s of pause").isLessThanOrEqualTo(4);
        Thread.sleep(1500);
        assertThat(count("src")).as("the counter goes on after resume").isGreaterThan(after + 2);
        long now = java.time.Instant.now().getEpochSecond();
        assertThat(Long.parseLong(exec("src", "date +%s").strip())).as("the clock is set again").isBetween(now - 5, now + 5);
    }

    @Test
    @Order(2)
    void execWithAutoResumeResumesAPausedSandbox() throws IOException {
        assertThat(cli("pause", "src").exitCode()).isZero();
        CliRun r = cli("exec", "--auto-resume", "src", "--", "echo", "awake");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("awake\n");
        assertThat(inspect("src").get("status").asText()).isEqualTo("running");
    }

    @Test
    @Order(3)
    void aForkGoesOnFromTheSameInstantAndDivergesFromItsSource() throws Exception {
        long started = System.nanoTime();
        CliRun fork = cli("fork", "src", "--as", "dup");
        long forkMillis = (System.nanoTime() - started) / 1_000_000;
        assertThat(fork.exitCode()).as(fork.err()).isZero();
        System.out.println("fork took " + forkMillis + " ms");
        assertThat(inspect("src").get("status").asText()).isEqualTo("running");
        assertThat(inspect("dup").get("status").asText()).isEqualTo("running");
        assertThat(inspect("dup").get("started_from").asText()).isEqualTo("fork of src");
        long at = count("dup");
        Thread.sleep(1500);
        assertThat(count("dup")).as("the counter started before the fork runs on in the fork").isGreaterThan(at);
        exec("src", "echo src > /root/only-src; sync");
        exec("dup", "echo dup > /root/only-dup; sync");
        assertThat(exec("src", "ls /root; echo $ROLE; hostname")).isEqualTo("only-src\nsrc\nsrc\n");
        assertThat(exec("dup", "ls /root; echo $ROLE; hostname")).isEqualTo("only-dup\nsrc\ndup\n");
        String random = "head -c 16 /dev/urandom | od -An -tx1";
        assertThat(exec("src", random)).isNotEqualTo(exec("dup", random));
        assertThat(cli("rm", "-f", "dup").exitCode()).isZero();
    }

    @Test
    @Order(4)
    void aRestoredSnapshotContinuesItsProcessesAndKeepsItsSnapshotUntilRemoved() throws Exception {
        CliRun take = cli("snapshot", "take", "src", "-n", "s1");
        assertThat(take.exitCode()).as(take.err()).isZero();
        assertThat(take.out()).isEqualTo("s1\n");
        assertThat(cli("snapshot", "take", "src", "-n", "s1").exitCode()).as("a taken name").isNotZero();
        exec("src", "echo later > /root/later; sync");
        CliRun restore = cli("snapshot", "restore", "s1", "--as", "back");
        assertThat(restore.exitCode()).as(restore.err()).isZero();
        long at = count("back");
        Thread.sleep(1500);
        assertThat(count("back")).as("the process started before the snapshot still runs").isGreaterThan(at);
        assertThat(exec("back", "ls /root")).isEqualTo("only-src\n");
        JsonNode list = JSON.readTree(cli("snapshot", "list", "--json").out());
        assertThat(list.get(0).get("name").asText()).isEqualTo("s1");
        assertThat(list.get(0).get("users").toString()).isEqualTo("[\"back\"]");
        CliRun refused = cli("snapshot", "rm", "s1");
        assertThat(refused.exitCode()).isNotZero();
        assertThat(refused.err()).contains("back");
        assertThat(cli("snapshot", "restore", "s1").err()).as("the saved sandbox's name is taken").contains("already exists");

        assertThat(cli("pause", "src").exitCode()).isZero();
        assertThat(cli("snapshot", "take", "src", "-n", "s2").exitCode()).isZero();
        assertThat(inspect("src").get("status").asText()).as("a paused sandbox stays paused").isEqualTo("paused");
        assertThat(cli("resume", "src").exitCode()).isZero();

        assertThat(cli("rm", "-f", "back").exitCode()).isZero();
        CliRun rm = cli("snapshot", "rm", "s1", "s2");
        assertThat(rm.exitCode()).as(rm.err()).isZero();
        assertThat(JSON.readTree(cli("snapshot", "list", "--json").out())).isEmpty();
        assertThat(AgentkernelHome.at(home).root().resolve("snapshots/s1")).doesNotExist();
    }
}
