package dev.agentkernel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.testing.BusyboxImages;
import dev.agentkernel.vm.VmFixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sandboxes with published ports start from the image's boot snapshot like any other (the published ports are
 * not part of the snapshot's key), and each restored VM listens on its own ports: two sandboxes restored from one
 * snapshot with different {@code -p} each reach their own guest server, and a one-shot {@code run -p} restores.
 */
@Tag("qemu")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class PublishedPortSnapshotTest {
    private Path work;
    private Path home;
    private BusyboxImages images;
    private String image;

    @BeforeAll
    void setUp() throws IOException {
        VmFixtures.requireQemuAndKernel();
        work = Files.createTempDirectory("ak-port-snap-test");
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
    void restoredSandboxesWithDifferentPublishedPortsEachReachTheirOwnGuest() throws Exception {
        ok("create", "seed", "--image", image, "--accel", "tcg", "-p", "8000"); // boots and saves the snapshot
        assertThat(CliRun.inspect(home, "seed").get("started_from").asText()).isEqualTo("boot");

        ok("create", "pa", "--image", image, "--accel", "tcg", "-p", "8000");
        ok("create", "pb", "--image", image, "--accel", "tcg", "-p", "127.0.0.1:0:8000", "-p", "8001");
        int a = hostPort(CliRun.inspect(home, "pa"), 8000);
        int b = hostPort(CliRun.inspect(home, "pb"), 8000);
        int b2 = hostPort(CliRun.inspect(home, "pb"), 8001);
        assertThat(java.util.Set.of(a, b, b2, hostPort(CliRun.inspect(home, "seed"), 8000))).hasSize(4);
        for (String name : new String[] {"pa", "pb"}) {
            assertThat(CliRun.inspect(home, name).get("started_from").asText()).as(name).startsWith("snapshot ");
            serve(name, 8000, "from " + name);
        }
        int seed = hostPort(CliRun.inspect(home, "seed"), 8000);
        assertThat(hostForwards("pa")).as("the restored VM listens on its own ports, none of the saved VM's")
                .containsExactly(a);
        assertThat(hostForwards("pb")).containsExactlyInAnyOrder(b, b2).doesNotContain(seed);
        serve("pb", 8001, "pb's second port");
        assertThat(get(a)).isEqualTo("from pa\n");
        assertThat(get(b)).isEqualTo("from pb\n");
        assertThat(get(b2)).isEqualTo("pb's second port\n");
        ok("rm", "-f", "pa");
        assertThat(get(b)).as("the other sandbox's forward is its own").isEqualTo("from pb\n");

        CliRun run = ok("run", "--timings", "--image", image, "--accel", "tcg", "-p", "8000", "--", "true");
        assertThat(run.err()).contains("create and restore (snapshot ");
        ok("rm", "-f", "pb", "seed");
    }

    /** The host ports libslirp forwards in the sandbox's QEMU, as its monitor lists them ({@code info usernet}). */
    private java.util.List<Integer> hostForwards(String name) {
        Path qmp = home.resolve("sandboxes").resolve(name).resolve("qmp.sock");
        try (dev.agentkernel.vm.Qmp monitor = dev.agentkernel.vm.Qmp.connect(qmp, Duration.ofSeconds(10))) {
            String usernet = monitor.execute("human-monitor-command", dev.agentkernel.vm.Qmp.arguments()
                    .put("command-line", "info usernet"), Duration.ofSeconds(10)).asText();
            // a forward is a listening socket: "TCP[HOST_FORWARD]  FD  127.0.0.1  PORT  10.0.2.15  GUEST_PORT ..."
            return usernet.lines().filter(l -> l.contains("HOST_FORWARD"))
                    .map(l -> Integer.parseInt(l.trim().split("\\s+")[3])).toList();
        }
    }

    private static int hostPort(JsonNode info, int guestPort) {
        for (JsonNode port : info.get("ports")) {
            if (port.get("guest_port").asInt() == guestPort) {
                return port.get("host_port").asInt();
            }
        }
        throw new AssertionError("no published port for " + guestPort + " in " + info);
    }

    /** Starts busybox httpd in the guest on {@code port}, serving {@code body}, detached from the exec. */
    private void serve(String name, int port, String body) {
        String dir = "/srv/" + port;
        CliRun.shell(home, name, "mkdir -p " + dir + " && echo \"" + body + "\" > " + dir + "/index.html"
                + " && (setsid httpd -f -p " + port + " -h " + dir + " </dev/null >/dev/null 2>&1 &) && echo started");
    }

    /** The guest's page through a published port, retried until its server listens (bounded: 30 s). */
    private static String get(int hostPort) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        Instant deadline = Instant.now().plusSeconds(30);
        while (true) {
            try {
                HttpResponse<String> page = client.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + hostPort + "/index.html")).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (page.statusCode() == 200) {
                    return page.body();
                }
            } catch (IOException e) {
                // slirp accepts and resets while nothing listens in the guest yet
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("nothing answered on 127.0.0.1:" + hostPort + " within 30 s");
            }
            Thread.sleep(200);
        }
    }
}
