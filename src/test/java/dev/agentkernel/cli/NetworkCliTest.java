package dev.agentkernel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentkernel.net.RemoteHost;
import dev.agentkernel.testing.BusyboxImages;
import dev.agentkernel.vm.VmFixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The network options on the command line: bad combinations and a taken port are bad input (exit 2) before
 * anything is converted; a sandbox created stopped shows its published ports (a free one chosen for
 * {@code -p GUEST_PORT}) in {@code list} and {@code inspect}; one-shot {@code run}s of the busybox image reach a
 * {@link RemoteHost} with busybox {@code wget}, or nothing with {@code --no-network}. The modes in depth are
 * {@code NetworkVmTest}'s.
 */
@Tag("qemu")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class NetworkCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Path work;
    private Path home;
    private BusyboxImages images;
    private String image;

    @BeforeAll
    void setUp() throws IOException {
        VmFixtures.requireQemuAndKernel();
        work = Files.createTempDirectory("ak-net-cli-test");
        home = work.resolve("home");
        images = new BusyboxImages(work);
        image = VmFixtures.busyboxArchive(images);
    }

    @AfterAll
    void cleanUp() {
        VmFixtures.tearDown(home, work, images);
    }

    @Test
    void aOneShotRunHasTheNetworkItAsksFor() throws IOException {
        try (RemoteHost remote = RemoteHost.start(work)) {
            CliRun r = CliRun.run(home, "run", "--image", image, "--accel", "tcg", "--memory", "256", "--dns",
                    remote.address(), "--", "wget", "-q", "-O", "-", "http://" + RemoteHost.ALLOWED + "/");
            assertThat(r.exitCode()).as(r.err()).isZero();
            assertThat(r.out()).isEqualTo(RemoteHost.REMOTE_BODY + "\n");
            r = CliRun.run(home, "run", "--image", image, "--accel", "tcg", "--memory", "256", "--no-network", "--",
                    "sh", "-c", "cat /proc/net/dev; wget -q -T 5 -O - http://" + remote.address() + "/");
            assertThat(r.exitCode()).as(r.out() + r.err()).isNotZero();
            assertThat(r.out()).contains("lo:").doesNotContain("eth0");
            assertThat(r.err()).doesNotContain(RemoteHost.REMOTE_BODY);
        }
    }

    @Test
    void contradictoryOrMalformedOptionsAreBadInput() {
        assertBadInput("--no-network contradicts", "create", "a", "--image", image, "--no-network", "--network",
                "allow:x.test");
        assertBadInput("-p needs a network", "create", "a", "--image", image, "--no-network", "-p", "80");
        assertBadInput("--allow-host expects a host name", "create", "a", "--image", image, "--allow-host", "a..b");
        assertBadInput("--network expects none, default or allow:", "run", "--image", image, "--network", "bridge",
                "--", "true");
        assertBadInput("-p 99999", "create", "a", "--image", image, "-p", "99999");
        assertBadInput("--dns expects an IPv4 address", "create", "a", "--image", image, "--dns", "dns.example");
        assertBadInput("UDP ports cannot be published in allowlist mode", "create", "a", "--image", image,
                "--allow-host", "x.test", "-p", "53/udp");
    }

    @Test
    void aTakenHostPortIsBadInputBeforeTheImageIsEvenRead() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            CliRun r = CliRun.run(home, "create", "busy", "--image", "oci:" + work.resolve("no-such-layout"), "-p",
                    taken.getLocalPort() + ":80");
            assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
            assertThat(r.err()).contains("127.0.0.1:" + taken.getLocalPort()).contains("taken")
                    .doesNotContain("no-such-layout");
            assertThat(home.resolve("sandboxes/busy")).doesNotExist();
        }
    }

    @Test
    void aStoppedSandboxShowsItsChosenPortsAndNetwork() throws IOException {
        CliRun r = CliRun.run(home, "create", "ports", "--image", image, "--no-start", "-p", "8000",
                "-p", "127.0.0.1:0:53/udp", "--no-host-access", "--dns", "10.213.0.53");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.err()).containsPattern("published 127\\.0\\.0\\.1:[1-9][0-9]* -> 8000/tcp");
        CliRun inspect = CliRun.run(home, "inspect", "ports", "--json");
        JsonNode info = JSON.readTree(inspect.out());
        assertThat(info.get("network").asText()).isEqualTo("default");
        assertThat(info.get("no_host_access").asBoolean()).isTrue();
        assertThat(info.get("dns").get(0).asText()).isEqualTo("10.213.0.53");
        JsonNode tcp = info.get("ports").get(0);
        assertThat(tcp.get("host_ip").asText()).isEqualTo("127.0.0.1");
        assertThat(tcp.get("host_port").asInt()).isPositive();
        assertThat(tcp.get("guest_port").asInt()).isEqualTo(8000);
        assertThat(info.get("ports").get(1).get("protocol").asText()).isEqualTo("udp");
        CliRun list = CliRun.run(home, "list");
        assertThat(list.out()).contains("PORTS").contains("127.0.0.1:" + tcp.get("host_port").asInt() + "->8000/tcp");
        assertThat(CliRun.run(home, "inspect", "ports").out()).contains("Network:  default (outbound NAT, no host access)");
        CliRun logs = CliRun.run(home, "logs", "ports", "--network");
        assertThat(logs.exitCode()).as(logs.err()).isZero();
        assertThat(logs.out()).isEmpty();
    }

    private void assertBadInput(String message, String... args) {
        CliRun r = CliRun.run(home, args);
        assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).contains(message);
    }
}
