package dev.agentkernel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.sandbox.ExecRequest;
import dev.agentkernel.sandbox.SandboxFiles;
import dev.agentkernel.sandbox.SandboxName;
import dev.agentkernel.sandbox.SandboxProcesses;
import dev.agentkernel.sandbox.SandboxService;
import dev.agentkernel.store.AgentkernelHome;
import dev.agentkernel.testing.AgentkernelProcess;
import dev.agentkernel.testing.BusyboxImages;
import dev.agentkernel.testing.ExternalCommand;
import dev.agentkernel.testing.RequiredTools;
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
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Starting sandboxes from the boot snapshot of an image, on real QEMU: two processes create the first sandboxes
 * of an image at once (one boots and saves, the other waits and restores), later runs restore, restored guests
 * have their own random state, clock, hostname and agent state, and a snapshot that is truncated, made with
 * other options or corrupted inside is passed over with a message and the sandbox boots.
 */
@Tag("qemu")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class SnapshotStartTest {
    /** A static program that prints 16 bytes from getrandom(2) in hex. */
    private static final String GETRANDOM_C = "#include <sys/random.h>\n#include <stdio.h>\n"
            + "int main(void){unsigned char b[16];if(getrandom(b,16,0)!=16)return 1;"
            + "for(int i=0;i<16;i++)printf(\"%02x\",b[i]);printf(\"\\n\");return 0;}\n";

    private Path work;
    private Path home;
    private BusyboxImages images;
    private String image;
    private SandboxService service;

    @BeforeAll
    void setUp() throws IOException {
        VmFixtures.requireQemuAndKernel();
        work = Files.createTempDirectory("ak-snap-test");
        home = work.resolve("home");
        images = new BusyboxImages(work);
        image = VmFixtures.busyboxArchive(images);
        service = new SandboxService(AgentkernelHome.at(home), System.getenv());
        CliRun convert = cli("rootfs", image); // converted once, so both creates below start at the same point
        assertThat(convert.exitCode()).as(convert.err()).isZero();
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

    private Path snapshotDir() throws IOException {
        try (var dirs = Files.list(AgentkernelHome.at(home).rootfs())) {
            Path parent = dirs.filter(p -> p.getFileName().toString().endsWith(".snapshots")).findFirst().orElseThrow();
            try (var snapshots = Files.list(parent)) {
                return snapshots.filter(p -> !p.getFileName().toString().startsWith(".")).findFirst().orElseThrow();
            }
        }
    }

    private CliRun timedRun(String... command) {
        String[] args = new String[6 + command.length];
        System.arraycopy(new String[] {"run", "--timings", "--image", image, "--accel=tcg", "--"}, 0, args, 0, 6);
        System.arraycopy(command, 0, args, 6, command.length);
        CliRun r = cli(args);
        assertThat(r.exitCode()).as(r.err()).isZero();
        return r;
    }

    @Test
    @Order(1)
    void twoProcessesStartingANewImageBootOnceAndTheSecondRestoresTheFirstsSnapshot() throws Exception {
        try (AgentkernelProcess other = AgentkernelProcess.start(home, "create", "two", "--image", image,
                "--accel", "tcg", "-e", "WHO=two")) {
            CliRun one = cli("create", "one", "--image", image, "--accel", "tcg", "-e", "WHO=one");
            assertThat(one.exitCode()).as(one.err()).isZero();
            assertThat(other.waitFor(Duration.ofMinutes(3))).as(other.err()).isZero();
        }
        List<String> from = List.of(inspect("one").get("started_from").asText(),
                inspect("two").get("started_from").asText());
        assertThat(from).as("one boots and saves, the other restores its snapshot")
                .containsExactlyInAnyOrder("boot", "snapshot " + snapshotDir().getFileName());
        assertThat(exec("one", "echo $WHO; hostname; cat /etc/greeting")).isEqualTo("one\none\nhello\n");
        assertThat(exec("two", "echo $WHO; hostname; cat /etc/greeting")).isEqualTo("two\ntwo\nhello\n");
    }

    @Test
    @Order(2)
    void restoredSandboxesHaveTheirOwnRandomStateClockAndAgentState() throws Exception {
        CliRun a = cli("create", "ra", "--image", image, "--accel", "tcg");
        assertThat(a.exitCode()).as(a.err()).isZero();
        CliRun b = cli("create", "rb", "--image", image, "--accel", "tcg");
        assertThat(b.exitCode()).as(b.err()).isZero();
        assertThat(inspect("ra").get("started_from").asText()).startsWith("snapshot");
        assertThat(inspect("rb").get("started_from").asText()).startsWith("snapshot");
        byte[] getrandom = getrandomProgram();
        SandboxFiles files = new SandboxFiles(service);
        files.write(SandboxName.of("ra"), "/root/getrandom", getrandom);
        files.write(SandboxName.of("rb"), "/root/getrandom", getrandom);
        String script = "chmod 755 /root/getrandom; /root/getrandom; head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \\n';"
                + " echo; date +%s";
        List<String> ra = exec("ra", script).lines().toList();
        List<String> rb = exec("rb", script).lines().toList();
        assertThat(ra.get(0)).hasSize(32).isNotEqualTo(rb.get(0));
        assertThat(ra.get(1)).hasSize(32).isNotEqualTo(rb.get(1));
        long now = Instant.now().getEpochSecond();
        assertThat(Long.parseLong(ra.get(2))).isBetween(now - 30, now + 5);
        assertThat(Long.parseLong(rb.get(2))).isBetween(now - 30, now + 5);

        SandboxProcesses processes = new SandboxProcesses(service);
        processes.detach(SandboxName.of("ra"), ExecRequest.of(List.of("sleep", "600")));
        assertThat(processes.list(SandboxName.of("ra"))).hasSize(1);
        assertThat(processes.list(SandboxName.of("rb"))).as("a detached command of one is not in the other").isEmpty();
        assertThat(exec("rb", "ps | grep -c '[s]leep 600'; true")).isEqualTo("0\n");
        assertThat(cli("rm", "-f", "ra", "rb").exitCode()).isZero();
    }

    private byte[] getrandomProgram() throws IOException {
        String cc = dev.agentkernel.process.Executables.find(System.getenv("PATH"), "musl-gcc").isPresent()
                ? "musl-gcc" : "gcc";
        RequiredTools.require(cc);
        Path source = work.resolve("getrandom.c");
        Files.writeString(source, GETRANDOM_C);
        Path binary = work.resolve("getrandom");
        ExternalCommand.run(Duration.ofMinutes(1), cc, "-static", "-O2", "-o", binary.toString(), source.toString());
        return Files.readAllBytes(binary);
    }

    @Test
    @Order(3)
    void aRunRestoresAndSaysSoAndNoSnapshotBoots() {
        CliRun restored = timedRun("sh", "-c", "hostname; cat /etc/greeting");
        assertThat(restored.err()).contains("create and restore (snapshot ");
        assertThat(restored.out()).startsWith("run-").endsWith("\nhello\n");
        CliRun cold = cli("run", "--timings", "--no-snapshot", "--image", image, "--accel", "tcg", "--", "true");
        assertThat(cold.exitCode()).as(cold.err()).isZero();
        assertThat(cold.err()).contains("create and boot ");
    }

    @Test
    @Order(4)
    void aTruncatedSnapshotIsPassedOverWithAMessageAndSavedAgain() throws IOException {
        Path state = snapshotDir().resolve("state.bin");
        long size = Files.size(state);
        try (RandomAccessFile f = new RandomAccessFile(state.toFile(), "rw")) {
            f.setLength(size / 2);
        }
        CliRun r = timedRun("cat", "/etc/greeting");
        assertThat(r.out()).isEqualTo("hello\n");
        assertThat(r.err()).contains("cannot be used: its state file is truncated").contains("create and boot ");
        assertThat(Files.size(snapshotDir().resolve("state.bin"))).as("saved again").isGreaterThan(size / 2);
        assertThat(timedRun("true").err()).contains("create and restore");
    }

    @Test
    @Order(5)
    void aSnapshotMadeWithOtherOptionsIsPassedOver() throws IOException {
        Path header = snapshotDir().resolve("snapshot.json");
        Files.writeString(header, Files.readString(header).replace("\"-smp\"", "\"-smp-other\""));
        CliRun r = timedRun("true");
        assertThat(r.err()).contains("cannot be used: it was made with other machine options").contains("create and boot ");
    }

    @Test
    @Order(6)
    void aSnapshotCorruptedInsideFailsToRestoreAndTheSandboxBoots() throws IOException {
        Path state = snapshotDir().resolve("state.bin");
        try (RandomAccessFile f = new RandomAccessFile(state.toFile(), "rw")) {
            f.seek(4096);
            f.write(new byte[4096]); // the device state and first pages: QEMU refuses the stream
            f.seek(64);
            f.write("garbage that is no section header".getBytes());
        }
        CliRun r = timedRun("cat", "/etc/greeting");
        assertThat(r.out()).isEqualTo("hello\n");
        assertThat(r.err()).contains("restoring from the snapshot").contains("booting instead").contains("create and boot ");
    }

    @Test
    @Order(7)
    void theSnapshotsGoWithTheirRootfsAndStayWhileASandboxUsesIt() throws IOException {
        Path snapshots = snapshotDir().getParent();
        CliRun kept = cli("rootfs", "prune");
        assertThat(kept.out()).contains("used by sandbox");
        assertThat(snapshots).isDirectory();
        assertThat(cli("rm", "-f", "one", "two").exitCode()).isZero();
        CliRun pruned = cli("rootfs", "prune");
        assertThat(pruned.exitCode()).as(pruned.err()).isZero();
        assertThat(snapshots).doesNotExist();
    }
}
