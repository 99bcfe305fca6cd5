package dev.agentkernel.net;

import dev.agentkernel.agent.RunResult;
import dev.agentkernel.errors.UserInputException;
import dev.agentkernel.rootfs.ConversionListener;
import dev.agentkernel.sandbox.CreateRequest;
import dev.agentkernel.sandbox.ExecRequest;
import dev.agentkernel.sandbox.SandboxExec;
import dev.agentkernel.sandbox.SandboxName;
import dev.agentkernel.sandbox.SandboxService;
import dev.agentkernel.store.AgentkernelHome;
import dev.agentkernel.testing.DebianImage;
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
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Real sandboxes (QEMU microvm under TCG, the Debian image with curl and python3) in each network mode
 * against a {@link RemoteHost} namespace: the default NAT (with published ports), {@code --no-network}, an
 * allowlist, and the default with {@code --no-host-access}. One sandbox per mode, booted once and shared by
 * the checks. "At once" means the failing command returned within {@link #AT_ONCE}, where a time-out would
 * take the 10 s curl is given.
 */
@Tag("qemu")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class NetworkVmTest {
    private static final Duration AT_ONCE = Duration.ofMillis(5000); // a time-out takes 10 s; python3 alone can take 2 s under TCG on a loaded machine
    private static final SandboxName NAT = SandboxName.of("nat");
    private static final SandboxName NONE = SandboxName.of("none");
    private static final SandboxName ALLOW = SandboxName.of("allow");
    private static final SandboxName NO_HOST = SandboxName.of("nohost");
    private static final String CURL = "curl -fsS --max-time 10 --cacert /tmp/ca.pem ";

    private Path work;
    private AgentkernelHome home;
    private SandboxService service;
    private SandboxExec exec;
    private RemoteHost remote;
    private String source;

    @BeforeAll
    void setUp() throws IOException {
        VmFixtures.requireQemuAndKernel();
        source = DebianImage.source();
        work = Files.createTempDirectory("ak-net-test");
        home = AgentkernelHome.at(work.resolve("home"));
        service = new SandboxService(home, System.getenv());
        exec = new SandboxExec(service);
        remote = RemoteHost.start(work);
        String dns = remote.address();
        create(NAT, NetworkOptions.parse(false, null, List.of(), List.of("127.0.0.1:0:8000", "9000/udp"), false,
                List.of(dns)));
        create(NONE, NetworkOptions.parse(true, null, List.of(), List.of(), false, List.of()));
        create(ALLOW, NetworkOptions.parse(false, null, List.of(RemoteHost.ALLOWED, "*.wild.test"), List.of(), false,
                List.of(dns)));
        create(NO_HOST, NetworkOptions.parse(false, null, List.of(), List.of(), true, List.of(dns)));
        String ca = new String(remote.caCertificate(), StandardCharsets.US_ASCII);
        for (SandboxName name : List.of(NAT, NONE, ALLOW, NO_HOST)) {
            RunResult r = exec.run(name, ExecRequest.of(List.of("python3", "-c",
                    "import sys; open('/tmp/ca.pem', 'w').write(sys.argv[1])", ca)));
            assertThat(r.exitCode()).as(r.stderr()).isZero();
        }
    }

    private void create(SandboxName name, NetworkOptions network) {
        service.create(new CreateRequest(name, source, 256, 1, Map.of(), null, Map.of(), null, true, "qemu", null,
                "tcg", null, null).withNetwork(network), ConversionListener.NONE);
    }

    @AfterAll
    void cleanUp() {
        try {
            if (home != null) {
                assertThat(VmFixtures.removeEverySandbox(home.root())).as("monitors rm -f did not end").isEmpty();
                assertThat(netproxiesUnder(home.root())).as("netproxy processes left").isEmpty();
            }
        } finally {
            if (remote != null) {
                remote.close();
                assertThat(remote.namespaceExists()).as("the test namespace is gone").isFalse();
            }
            if (work != null) {
                VmFixtures.deleteTree(work);
            }
        }
    }

    /** A shell command line in the guest; its result and how long it took, seen from the host. */
    private record Timed(RunResult result, Duration took) {
        String out() {
            return result.stdout() + result.stderr();
        }
    }

    private Timed sh(SandboxName name, String script) {
        long start = System.nanoTime();
        RunResult r = exec.run(name, new ExecRequest(List.of("sh", "-c", script), Map.of(), null, null, false, false,
                false, 60_000));
        return new Timed(r, Duration.ofNanos(System.nanoTime() - start));
    }

    private Timed ok(SandboxName name, String script) {
        Timed t = sh(name, script);
        assertThat(t.result().exitCode()).as(name + ": " + script + "\n" + t.out()).isZero();
        return t;
    }

    private void failsAtOnce(SandboxName name, String script) {
        Timed t = sh(name, script);
        assertThat(t.result().exitCode()).as(name + ": " + script + " should fail: " + t.out()).isNotZero();
        assertThat(t.took()).as(name + ": " + script + " failed only after " + t.took() + ": " + t.out())
                .isLessThan(AT_ONCE);
    }

    private String networkLog(SandboxName name) throws IOException {
        Path log = home.sandboxes().resolve(name.value()).resolve(Networking.LOG_FILE);
        return Files.isRegularFile(log) ? Files.readString(log) : "";
    }

    @Test
    @Order(1)
    void theDefaultReachesTheRemoteHostByNameAndAddressOverHttpAndHttps() {
        assertThat(ok(NAT, CURL + "http://" + RemoteHost.ALLOWED + "/").result().stdout())
                .isEqualTo(RemoteHost.REMOTE_BODY + "\n");
        assertThat(ok(NAT, CURL + "http://" + remote.address() + "/").result().stdout())
                .isEqualTo(RemoteHost.REMOTE_BODY + "\n");
        assertThat(ok(NAT, CURL + "https://" + RemoteHost.BLOCKED + "/index.html").result().stdout())
                .isEqualTo(RemoteHost.REMOTE_BODY + "\n");
        assertThat(ok(NAT, "getent hosts " + RemoteHost.ALLOWED).result().stdout()).startsWith(remote.address() + " ");
        String echo = ok(NAT, "python3 -c \"import socket; s = socket.create_connection(('" + remote.address()
                + "', 7)); s.sendall(b'tcp-echo'); print(s.recv(100).decode())\"").result().stdout();
        assertThat(echo).isEqualTo("tcp-echo\n");
        String udp = ok(NAT, "python3 -c \"import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);"
                + " s.settimeout(5); s.sendto(b'udp-echo', ('" + remote.address() + "', 7)); print(s.recv(100).decode())\"")
                .result().stdout();
        assertThat(udp).isEqualTo("udp-echo\n");
    }

    @Test
    @Order(1)
    void theGuestIsConfiguredByTheAgent() {
        String out = ok(NAT, "cat /etc/resolv.conf /etc/hosts; hostname; cat /sys/class/net/eth0/mtu /proc/net/route")
                .result().stdout();
        assertThat(out).contains("nameserver " + remote.address()).contains("127.0.1.1\tnat").contains("\nnat\n")
                .contains("1500");
        assertThat(out).containsPattern("eth0\\s+00000000\\s+0202000A"); // the default route via 10.0.2.2
    }

    @Test
    @Order(1)
    void noNetworkHasOnlyLoopbackAndFailsFast() {
        String out = ok(NONE, "cat /proc/net/dev /proc/net/route; cat /etc/resolv.conf").result().stdout();
        assertThat(out).contains("lo:").doesNotContain("eth0").doesNotContain("nameserver");
        failsAtOnce(NONE, CURL + "http://" + remote.address() + "/");
        failsAtOnce(NONE, CURL + "http://" + RemoteHost.ALLOWED + "/");
    }

    @Test
    @Order(1)
    void theHostsLoopbackIsUnreachableInEveryMode() throws IOException {
        int port = remote.loopbackPort();
        for (SandboxName name : List.of(NAT, NONE, ALLOW, NO_HOST)) {
            failsAtOnce(name, CURL + "--noproxy '*' http://127.0.0.1:" + port + "/");
            failsAtOnce(name, CURL + "--noproxy '*' http://10.0.2.2:" + port + "/");
            failsAtOnce(name, CURL + "http://10.0.2.2:" + port + "/"); // through the proxy, in the allowlist mode
        }
        assertThat(networkLog(NAT)).contains("refused a connection to 127.0.0.1 port " + port);
    }

    @Test
    @Order(1)
    void theHostsOtherAddressesAreReachableByDefaultButNotWithNoHostAccessNorAnAllowlist() throws IOException {
        String url = "http://" + remote.hostAddress() + ":" + remote.hostAddressPort() + "/";
        assertThat(ok(NAT, CURL + url).result().stdout()).isEqualTo(RemoteHost.HOST_BODY + "\n");
        failsAtOnce(NO_HOST, CURL + url);
        assertThat(networkLog(NO_HOST)).contains("refused a connection to " + remote.hostAddress())
                .contains("--no-host-access");
        assertThat(ok(NO_HOST, CURL + "http://" + RemoteHost.ALLOWED + "/").result().stdout())
                .isEqualTo(RemoteHost.REMOTE_BODY + "\n");
        failsAtOnce(ALLOW, CURL + url);
        failsAtOnce(ALLOW, CURL + "--noproxy '*' " + url);
    }

    @Test
    @Order(1)
    void theAllowlistLetsOnlyItsHostsThroughAndLogsEveryRefusal() throws IOException {
        assertThat(ok(ALLOW, "env | grep -i _proxy= | sort").result().stdout())
                .contains("HTTPS_PROXY=http://10.0.2.100:3128").contains("NO_PROXY=");
        assertThat(ok(ALLOW, CURL + "http://" + RemoteHost.ALLOWED + "/").result().stdout())
                .isEqualTo(RemoteHost.REMOTE_BODY + "\n");
        assertThat(ok(ALLOW, CURL + "https://" + RemoteHost.ALLOWED + "/index.html").result().stdout())
                .isEqualTo(RemoteHost.REMOTE_BODY + "\n");
        assertThat(ok(ALLOW, CURL + "https://" + RemoteHost.WILD + "/index.html").result().stdout())
                .isEqualTo(RemoteHost.REMOTE_BODY + "\n");
        // without the proxy variables: the allowed name resolves to the proxy, which reads SNI and Host
        assertThat(ok(ALLOW, CURL + "--noproxy '*' https://" + RemoteHost.ALLOWED + "/index.html").result().stdout())
                .isEqualTo(RemoteHost.REMOTE_BODY + "\n");
        assertThat(ok(ALLOW, CURL + "--noproxy '*' http://" + RemoteHost.ALLOWED + "/").result().stdout())
                .isEqualTo(RemoteHost.REMOTE_BODY + "\n");
        failsAtOnce(ALLOW, CURL + "-f http://" + RemoteHost.BLOCKED + "/");
        failsAtOnce(ALLOW, CURL + "https://" + RemoteHost.BLOCKED + "/index.html");
        failsAtOnce(ALLOW, CURL + "-f http://" + remote.address() + "/");
        failsAtOnce(ALLOW, CURL + "--noproxy '*' http://" + remote.address() + "/");
        failsAtOnce(ALLOW, CURL + "--noproxy '*' --resolve " + RemoteHost.BLOCKED + ":443:10.0.2.100 https://"
                + RemoteHost.BLOCKED + "/index.html");
        failsAtOnce(ALLOW, "python3 -c \"import socket; s = socket.create_connection(('" + remote.address()
                + "', 7), timeout=10)\"");
        // datagrams go nowhere (DNS included): no echo comes back
        Timed udp = sh(ALLOW, "python3 -c \"import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);"
                + " s.settimeout(2); s.sendto(b'udp', ('" + remote.address() + "', 7)); print(s.recv(100))\"");
        assertThat(udp.result().exitCode()).as(udp.out()).isNotZero();
        assertThat(udp.out()).contains("timed out");
        assertThat(sh(ALLOW, "getent hosts " + RemoteHost.BLOCKED).result().exitCode()).isNotZero();
        String log = networkLog(ALLOW);
        assertThat(log).contains("refused " + RemoteHost.BLOCKED + ":80 (not on the sandbox's network allowlist)")
                .contains("refused " + RemoteHost.BLOCKED + ":443").contains("refused " + remote.address() + ":80");
    }

    @Test
    @Order(1)
    void publishedTcpAndUdpPortsAnswerFromTheHost() throws Exception {
        List<PortMapping> ports = service.inspect(NAT).record().network().publish();
        assertThat(ports).hasSize(2).allSatisfy(p -> assertThat(p.hostPort()).isPositive());
        startGuestServers();
        assertPublishedPortsAnswer(ports);
    }

    private void startGuestServers() {
        ok(NAT, "mkdir -p /srv/www && echo guest-httpd > /srv/www/index.html && cd /srv/www"
                + " && (setsid python3 -m http.server 8000 </dev/null >/dev/null 2>&1 &)"
                + " && (setsid python3 -c \"import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);"
                + " s.bind(('0.0.0.0', 9000))\nwhile True:\n    d, a = s.recvfrom(2048); s.sendto(d, a)\""
                + " </dev/null >/dev/null 2>&1 &)"
                + " && for i in $(seq 50); do python3 -c \"import socket; socket.create_connection(('127.0.0.1', 8000))\""
                + " 2>/dev/null && exit 0; sleep 0.2; done; exit 1");
    }

    private void assertPublishedPortsAnswer(List<PortMapping> ports) throws Exception {
        PortMapping tcp = ports.stream().filter(p -> p.protocol() == PortMapping.Protocol.TCP).findFirst().orElseThrow();
        PortMapping udp = ports.stream().filter(p -> p.protocol() == PortMapping.Protocol.UDP).findFirst().orElseThrow();
        HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + tcp.hostPort() + "/index.html")).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.body()).isEqualTo("guest-httpd\n");
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
            socket.setSoTimeout(1000);
            byte[] ping = "udp-through-published-port".getBytes(StandardCharsets.US_ASCII);
            String answer = null;
            for (int attempt = 0; attempt < 10 && answer == null; attempt++) {
                socket.send(new DatagramPacket(ping, ping.length, new InetSocketAddress("127.0.0.1", udp.hostPort())));
                DatagramPacket in = new DatagramPacket(new byte[100], 100);
                try {
                    socket.receive(in);
                    answer = new String(in.getData(), 0, in.getLength(), StandardCharsets.US_ASCII);
                } catch (java.net.SocketTimeoutException e) {
                    // the guest's server may still be starting: send again
                }
            }
            assertThat(answer).isEqualTo("udp-through-published-port");
        }
    }

    @Test
    @Order(2)
    void aTakenHostPortFailsBeforeAnythingIsMade() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            SandboxName name = SandboxName.of("taken");
            Instant start = Instant.now();
            assertThatThrownBy(() -> create(name, NetworkOptions.parse(false, null, List.of(),
                    List.of("127.0.0.1:" + taken.getLocalPort() + ":80"), false, List.of())))
                    .isInstanceOf(UserInputException.class)
                    .hasMessageContaining("127.0.0.1:" + taken.getLocalPort()).hasMessageContaining("taken");
            assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(5));
            assertThat(service.store().exists(name)).isFalse();
            assertThat(home.sandboxes().resolve("taken")).doesNotExist();
        }
    }

    @Test
    @Order(3)
    void publishedPortsWorkAgainAfterStopAndStart() throws Exception {
        List<PortMapping> before = service.inspect(NAT).record().network().publish();
        service.stop(NAT, Duration.ofSeconds(10));
        PortMapping tcp = before.stream().filter(p -> p.protocol() == PortMapping.Protocol.TCP).findFirst().orElseThrow();
        try (ServerSocket taken = new ServerSocket(tcp.hostPort(), 1, InetAddress.getByName("127.0.0.1"))) {
            assertThatThrownBy(() -> service.start(NAT)).isInstanceOf(UserInputException.class)
                    .hasMessageContaining("127.0.0.1:" + tcp.hostPort()).hasMessageContaining("taken");
            assertThat(service.inspect(NAT).status()).isEqualTo(dev.agentkernel.sandbox.SandboxStatus.STOPPED);
        }
        service.start(NAT);
        assertThat(service.inspect(NAT).record().network().publish()).isEqualTo(before);
        ok(NAT, CURL + "http://" + RemoteHost.ALLOWED + "/"); // and outbound, configured again
        startGuestServers();
        assertPublishedPortsAnswer(before);
    }

    @Test
    @Order(4)
    void aConnectionThroughTheProxyEndsWhenTheMonitorIsKilledFromOutside() throws Exception {
        // an idle tunnel to the echo port through the proxy: one netproxy, waiting on both sides
        ok(ALLOW, "(setsid python3 -c \"import socket, time; s = socket.create_connection(('10.0.2.100', 3128));"
                + " s.sendall(b'CONNECT " + RemoteHost.ALLOWED + ":7 HTTP/1.1\\r\\n\\r\\n'); s.recv(100);"
                + " time.sleep(600)\" </dev/null >/dev/null 2>&1 &)");
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (netproxies(home.root()).isEmpty() && System.nanoTime() < end) {
            Thread.sleep(100);
        }
        assertThat(netproxies(home.root())).as("the tunnel's netproxy").hasSize(1);
        long monitor = service.inspect(ALLOW).monitorPid();
        ProcessHandle.of(monitor).orElseThrow().destroyForcibly();
        assertThat(netproxiesUnder(home.root())).as("netproxy left after the monitor was killed").isEmpty();
        assertThat(service.inspect(ALLOW).status()).isEqualTo(dev.agentkernel.sandbox.SandboxStatus.EXITED);
    }

    private static List<ProcessHandle> netproxies(Path home) {
        return ProcessHandle.allProcesses().filter(p -> p.info().commandLine()
                .map(c -> c.contains("netproxy") && c.contains(home.toString())).orElse(false)).toList();
    }

    /** netproxy processes under the data directory that are still there after 5 s (each is then killed). */
    private static List<ProcessHandle> netproxiesUnder(Path home) {
        List<ProcessHandle> left = new ArrayList<>();
        long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        do {
            left = netproxies(home);
            if (left.isEmpty()) {
                break;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        } while (System.nanoTime() < end);
        left.forEach(ProcessHandle::destroyForcibly);
        return left;
    }
}
