package dev.agentkernel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Warm pools under QEMU: {@code pool set} starts the sandboxes, {@code create} and {@code run} of the same image
 * and machine take one (renamed under its running monitor, given its name, environment and network), a process in
 * the background starts its replacement, a member whose monitor died is skipped, requests the pool does not serve
 * start as before, and {@code pool rm} leaves no monitor behind. One class: the pool's members are shared.
 */
@Tag("qemu")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class WarmPoolTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Path work;
    private Path home;
    private BusyboxImages images;
    private String image;

    @BeforeAll
    void setUp() throws IOException {
        VmFixtures.requireQemuAndKernel();
        work = Files.createTempDirectory("ak-pool-test");
        home = work.resolve("home");
        images = new BusyboxImages(work);
        image = VmFixtures.busyboxArchive(images);
    }

    @AfterAll
    void cleanUp() {
        VmFixtures.tearDown(home, work, images);
    }

    private CliRun ok(String... args) {
        CliRun r = CliRun.run(home, args);
        assertThat(r.exitCode()).as(r.err()).isZero();
        return r;
    }

    @Test
    @Order(1)
    void badSizesAndUnknownPoolsAreOneClearError() {
        CliRun tooMany = CliRun.run(home, "pool", "set", image, "-n", "17", "--accel", "tcg");
        assertThat(tooMany.exitCode()).isNotZero();
        assertThat(tooMany.err()).contains("0 to 16 sandboxes, not 17");
        CliRun unknown = CliRun.run(home, "pool", "rm", "no-such-image");
        assertThat(unknown.exitCode()).isNotZero();
        assertThat(unknown.err()).contains("no pool is named or holds no-such-image");
        assertThat(home.resolve("pools")).doesNotExist();
    }

    @Test
    @Order(2)
    void createAndRunTakePooledSandboxesThatAreTheirOwn() throws Exception {
        CliRun set = ok("pool", "set", image, "-n", "1", "--accel", "tcg");
        assertThat(set.out()).contains("1 of 1 sandboxes of " + image + " ready");
        JsonNode pool = onlyPool();
        assertThat(pool.get("ready").asInt()).isEqualTo(1);

        Path member = readyMembers(pool.get("id").asText()).get(0);

        ok("create", "alpha", "--image", image, "--accel", "tcg", "-e", "GREETING=hello");
        JsonNode alpha = CliRun.inspect(home, "alpha");
        assertThat(alpha.get("started_from").asText()).startsWith("pool (");
        assertThat(member).as("the member's directory became the sandbox's").doesNotExist();
        assertThat(CliRun.shell(home, "alpha", "hostname; echo $GREETING; ip route | grep -c default"))
                .isEqualTo("alpha\nhello\n1\n");
        // the network policy's log follows the renamed directory (QEMU writes it relative to its working directory)
        CliRun.run(home, "exec", "alpha", "--", "nc", "-w", "2", "10.0.2.2", "9");
        assertThat(Files.readString(home.resolve("sandboxes/alpha/network.log")))
                .contains("refused a connection to 127.0.0.1 port 9");

        // its replacement is started in the background
        List<Path> refilled = awaitReadyMembers(pool.get("id").asText(), 1);
        assertThat(refilled.get(0)).isNotEqualTo(member);

        CliRun run = ok("run", "--timings", "--image", image, "--accel", "tcg", "--", "sh", "-c",
                "hostname; head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \\n'");
        assertThat(run.err()).contains("create and take from the pool (");
        String[] lines = run.out().split("\n");
        assertThat(lines[0]).startsWith("run-");
        String runRandom = lines[1];
        awaitReadyMembers(pool.get("id").asText(), 1);

        ok("create", "beta", "--image", image, "--accel", "tcg");
        assertThat(CliRun.inspect(home, "beta").get("started_from").asText()).startsWith("pool (");
        CliRun.shell(home, "alpha", "echo only-alpha > /root/mark");
        assertThat(CliRun.shell(home, "beta", "cat /root/mark 2>/dev/null || echo absent")).isEqualTo("absent\n");
        String alphaRandom = CliRun.shell(home, "alpha", "head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \\n'");
        String betaRandom = CliRun.shell(home, "beta", "head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \\n'");
        assertThat(List.of(alphaRandom, betaRandom, runRandom)).doesNotHaveDuplicates();
        awaitReadyMembers(pool.get("id").asText(), 1);
    }

    @Test
    @Order(3)
    void requestsThePoolDoesNotServeStartAsBefore() throws Exception {
        String id = onlyPool().get("id").asText();
        Path member = readyMembers(id).get(0);
        ok("create", "ported", "--image", image, "--accel", "tcg", "-p", "8000");
        assertThat(CliRun.inspect(home, "ported").get("started_from").asText()).startsWith("snapshot ");
        ok("create", "stopped", "--image", image, "--accel", "tcg", "--no-start");
        assertThat(readyMembers(id)).containsExactly(member);
        ok("rm", "-f", "ported", "stopped");
    }

    @Test
    @Order(4)
    void aMemberWhoseMonitorDiedIsSkippedAndReplaced() throws Exception {
        String id = onlyPool().get("id").asText();
        Path member = readyMembers(id).get(0);
        long pid = JSON.readTree(member.resolve("monitor.json").toFile()).get("process").get("pid").asLong();
        ProcessHandle monitor = ProcessHandle.of(pid).orElseThrow();
        monitor.destroyForcibly();
        monitor.onExit().get(10, TimeUnit.SECONDS);

        ok("create", "gamma", "--image", image, "--accel", "tcg");
        assertThat(CliRun.inspect(home, "gamma").get("started_from").asText()).startsWith("snapshot ");
        assertThat(CliRun.shell(home, "gamma", "hostname")).isEqualTo("gamma\n");
        List<Path> replaced = awaitReadyMembers(id, 1);
        assertThat(replaced.get(0)).isNotEqualTo(member);
    }

    @Test
    @Order(5)
    void removingThePoolStopsItsSandboxesAndKeepsTheTakenOnes() throws Exception {
        String id = onlyPool().get("id").asText();
        long pid = JSON.readTree(readyMembers(id).get(0).resolve("monitor.json").toFile()).get("process")
                .get("pid").asLong();
        assertThat(ok("pool", "rm", image).out()).isEqualTo(id + "\n");
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(JSON.readTree(ok("pool", "ls", "--json").out())).isEmpty();
        assertThat(home.resolve("pools").resolve(id)).doesNotExist();
        assertThat(CliRun.shell(home, "alpha", "cat /root/mark")).isEqualTo("only-alpha\n");
        // QEMU opens the disk again by its name when a migration ends: it must find it under the sandbox's new name
        ok("fork", "alpha", "--as", "alpha2");
        assertThat(CliRun.shell(home, "alpha2", "cat /root/mark")).isEqualTo("only-alpha\n");
        ok("pause", "alpha");
        ok("resume", "alpha");
        ok("rm", "-f", "alpha", "alpha2", "beta", "gamma");
    }

    private JsonNode onlyPool() throws IOException {
        JsonNode pools = JSON.readTree(ok("pool", "ls", "--json").out());
        assertThat(pools).hasSize(1);
        return pools.get(0);
    }

    private List<Path> readyMembers(String id) throws IOException {
        List<Path> ready = new ArrayList<>();
        try (var members = Files.list(home.resolve("pools").resolve(id))) {
            for (Path m : members.toList()) {
                if (Files.isRegularFile(m.resolve("pool-ready"))) {
                    ready.add(m);
                }
            }
        }
        return ready;
    }

    /** The ready members once there are {@code count}: a fill in the background takes a restore's time (bounded). */
    private List<Path> awaitReadyMembers(String id, int count) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (true) {
            List<Path> ready = readyMembers(id);
            if (ready.size() == count && !fillRunning(id)) {
                return ready;
            }
            if (System.nanoTime() > end) {
                Path log = home.resolve("pools").resolve(id).resolve("fill.log");
                throw new AssertionError("the pool has " + ready.size() + " ready members, not " + count + "; fill log:\n"
                        + (Files.exists(log) ? Files.readString(log) : "(none)"));
            }
            Thread.sleep(200);
        }
    }

    /** Whether a background fill still holds the pool's lock (it may be trimming or about to exit). */
    private boolean fillRunning(String id) {
        var held = dev.agentkernel.store.FileLocks.tryExclusive(home.resolve("locks").resolve("pool-" + id + ".lock"));
        held.ifPresent(dev.agentkernel.store.FileLocks.Held::close);
        return held.isEmpty();
    }
}
