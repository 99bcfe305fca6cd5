package dev.agentkernel.net;

import com.sun.net.httpserver.HttpServer;
import dev.agentkernel.testing.ExternalCommand;
import dev.agentkernel.testing.RequiredTools;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A "remote host" for network tests that never leaves this machine: a network namespace the test creates,
 * joined to the host by a veth pair with private addresses ({@code 10.213.N.1/30} on the host side,
 * {@code 10.213.N.2/30} inside), running an HTTP server (busybox httpd, port 80), an HTTPS server (openssl
 * s_server, port 443, a certificate for {@value #ALLOWED}, {@value #BLOCKED} and {@value #WILD} from a test
 * CA), a TCP and UDP echo server (port 7) and a DNS server (dnsmasq, port 53) that answers those names with
 * the namespace's address. Also two
 * servers of the host itself that a guest must never reach: one on 127.0.0.1 (standing for the API server)
 * and one on the host's side of the veth pair (a non-loopback address of the host). {@link #close} stops
 * every process by its pid and deletes the namespace, on every path (a shutdown hook too).
 */
public final class RemoteHost implements AutoCloseable {
    public static final String ALLOWED = "allowed.test";
    public static final String BLOCKED = "blocked.test";
    static final String WILD = "sub.wild.test";
    /** What the remote servers answer, and the host's secret servers. */
    public static final String REMOTE_BODY = "remote-ok";
    static final String LOOPBACK_BODY = "host-loopback-secret";
    static final String HOST_BODY = "host-address-secret";

    static final int ECHO_PORT = 7;
    private static final Duration STEP = Duration.ofSeconds(30);
    /** TCP and UDP echo on port 7 of the address given. */
    private static final String ECHO_SERVER = String.join("\n",
            "import socket, sys, threading",
            "addr = sys.argv[1]",
            "u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind((addr, 7))",
            "def udp():",
            "    while True:",
            "        data, peer = u.recvfrom(65535); u.sendto(data, peer)",
            "threading.Thread(target=udp, daemon=True).start()",
            "t = socket.socket(); t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); t.bind((addr, 7)); t.listen(16)",
            "def serve(c):",
            "    with c:",
            "        while True:",
            "            data = c.recv(65536)",
            "            if not data: break",
            "            c.sendall(data)",
            "while True:",
            "    c, _ = t.accept(); threading.Thread(target=serve, args=(c,), daemon=True).start()",
            "");

    private final String namespace;
    private final String hostLink;
    private final int subnet;
    private final Path dir;
    private final List<Process> processes = new ArrayList<>();
    private final List<HttpServer> hostServers = new ArrayList<>();
    private final Thread hook = new Thread(this::close, "remote-host-cleanup");
    private boolean namespaceCreated;
    private int loopbackPort;
    private int hostAddressPort;

    private RemoteHost(Path dir) {
        String id = HexFormat.of().formatHex(new SecureRandom().generateSeed(3));
        this.namespace = "ak-net-" + id;
        this.hostLink = "akh-" + id;
        this.dir = dir;
        this.subnet = freeSubnet();
    }

    /** Creates the namespace and starts its servers; on failure everything made so far is removed. */
    public static RemoteHost start(Path workDir) throws IOException {
        RequiredTools.requireRoot();
        for (String tool : List.of("ip", "dnsmasq", "openssl", "busybox", "python3")) {
            RequiredTools.require(tool);
        }
        RemoteHost host = new RemoteHost(Files.createTempDirectory(workDir, "remote"));
        Runtime.getRuntime().addShutdownHook(host.hook);
        try {
            host.createNamespace();
            host.startServers();
            return host;
        } catch (IOException | RuntimeException | Error e) {
            host.close();
            throw e;
        }
    }

    public String address() {
        return "10.213." + subnet + ".2";
    }

    /** The host's own address on the veth pair. */
    String hostAddress() {
        return "10.213." + subnet + ".1";
    }

    int loopbackPort() {
        return loopbackPort;
    }

    int hostAddressPort() {
        return hostAddressPort;
    }

    /** The test CA's certificate, PEM. */
    byte[] caCertificate() throws IOException {
        return Files.readAllBytes(dir.resolve("ca.pem"));
    }

    private void createNamespace() {
        String peer = "akn-" + namespace.substring(7);
        ip("netns", "add", namespace);
        namespaceCreated = true;
        ip("link", "add", hostLink, "type", "veth", "peer", "name", peer);
        ip("link", "set", peer, "netns", namespace);
        ip("addr", "add", hostAddress() + "/30", "dev", hostLink);
        ip("link", "set", hostLink, "up");
        inside("ip", "addr", "add", address() + "/30", "dev", peer);
        inside("ip", "link", "set", peer, "up");
        inside("ip", "link", "set", "lo", "up");
    }

    private void startServers() throws IOException {
        Path www = Files.createDirectories(dir.resolve("www"));
        Files.writeString(www.resolve("index.html"), REMOTE_BODY + "\n");
        Files.write(www.resolve("big.bin"), new byte[4 << 20]);
        certificates();
        Files.writeString(dir.resolve("dnsmasq.conf"), String.join("\n",
                "no-resolv", "no-hosts", "bind-interfaces", "listen-address=" + address(),
                "address=/" + ALLOWED + "/" + address(), "address=/" + BLOCKED + "/" + address(),
                "address=/" + WILD + "/" + address(), "address=/loopback.test/127.0.0.1", "") );
        spawn("busybox", "httpd", "-f", "-p", address() + ":80", "-h", www.toString());
        // SECLEVEL=0: busybox's TLS client sends no signature_algorithms, so the server must accept SHA-1's default
        spawn("openssl", "s_server", "-quiet", "-accept", address() + ":443", "-cert", dir.resolve("server.pem").toString(),
                "-key", dir.resolve("server.key").toString(), "-WWW", "-cipher", "DEFAULT@SECLEVEL=0");
        Files.writeString(dir.resolve("echo.py"), ECHO_SERVER);
        spawn("python3", dir.resolve("echo.py").toString(), address());
        spawn("dnsmasq", "--keep-in-foreground", "--conf-file=" + dir.resolve("dnsmasq.conf"), "--user=root",
                "--pid-file=" + dir.resolve("dnsmasq.pid"));
        loopbackPort = hostServer("127.0.0.1", LOOPBACK_BODY);
        hostAddressPort = hostServer(hostAddress(), HOST_BODY);
        for (int port : List.of(80, 443, 7, 53)) {
            awaitPort(address(), port);
        }
    }

    private void certificates() {
        String d = dir.toString();
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", d + "/ca.key", "-out", d + "/ca.pem",
                "-days", "2", "-subj", "/CN=agentkernel test CA");
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", d + "/server.key", "-out", d + "/server.csr",
                "-subj", "/CN=" + ALLOWED);
        try {
            Files.writeString(dir.resolve("ext.cnf"), "subjectAltName=DNS:" + ALLOWED + ",DNS:" + BLOCKED + ",DNS:" + WILD + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        openssl("x509", "-req", "-in", d + "/server.csr", "-CA", d + "/ca.pem", "-CAkey", d + "/ca.key",
                "-CAcreateserial", "-out", d + "/server.pem", "-days", "2", "-extfile", d + "/ext.cnf");
    }

    private static void openssl(String... args) {
        List<String> argv = new ArrayList<>(List.of("openssl"));
        argv.addAll(List.of(args));
        ExternalCommand.run(STEP, argv);
    }

    /** An HTTP server of the host itself, in this JVM; its port. */
    private int hostServer(String address, String body) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(address), 0), 16);
        server.createContext("/", exchange -> {
            byte[] bytes = (body + "\n").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        hostServers.add(server);
        return server.getAddress().getPort();
    }

    /** Starts a server inside the namespace (in the foreground, so its pid is ours to stop). */
    private void spawn(String... command) throws IOException {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        argv.addAll(List.of(command));
        Path log = dir.resolve(command[0] + ".log");
        processes.add(new ProcessBuilder(argv).directory(dir.resolve("www").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start());
    }

    private void awaitPort(String address, int port) throws IOException {
        Instant deadline = Instant.now().plusSeconds(20);
        while (true) {
            for (Process p : processes) {
                if (!p.isAlive()) {
                    throw new IOException("a server of the test namespace exited: " + p.info().commandLine().orElse("?")
                            + "\n" + logs());
                }
            }
            if (port == 53 ? Files.isRegularFile(dir.resolve("dnsmasq.pid")) : connects(address, port)) {
                return;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IOException(address + ":" + port + " did not come up\n" + logs());
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
        }
    }

    private static boolean connects(String address, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private String logs() throws IOException {
        StringBuilder out = new StringBuilder();
        try (var files = Files.list(dir)) {
            for (Path log : files.filter(f -> f.toString().endsWith(".log")).toList()) {
                out.append("--- ").append(log.getFileName()).append('\n').append(Files.readString(log));
            }
        }
        return out.toString();
    }

    private void ip(String... args) {
        List<String> argv = new ArrayList<>(List.of("ip"));
        argv.addAll(List.of(args));
        ExternalCommand.run(STEP, argv);
    }

    private void inside(String... command) {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        argv.addAll(List.of(command));
        ExternalCommand.run(STEP, argv);
    }

    /** A 10.213.N.0/30 no route of this machine uses yet (another test's namespace, say). */
    private static int freeSubnet() {
        String routes = ExternalCommand.run(STEP, "ip", "-4", "route", "show").stdout();
        SecureRandom random = new SecureRandom();
        for (int attempt = 0; attempt < 64; attempt++) {
            int n = random.nextInt(256);
            if (!routes.contains("10.213." + n + ".")) {
                return n;
            }
        }
        throw new AssertionError("no free 10.213.N.0/30 subnet for a test namespace");
    }

    /** Whether the namespace still exists (for the tests' leak check). */
    public boolean namespaceExists() {
        return ExternalCommand.run(STEP, "ip", "netns", "list").stdout().contains(namespace);
    }

    @Override
    public synchronized void close() {
        for (HttpServer server : hostServers) {
            server.stop(0);
        }
        hostServers.clear();
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            try {
                p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        processes.clear();
        if (namespaceCreated) {
            ExternalCommand.runAllowingFailure(STEP, List.of("ip", "link", "del", hostLink));
            ExternalCommand.runAllowingFailure(STEP, List.of("ip", "netns", "del", namespace));
            namespaceCreated = false;
        }
        dev.agentkernel.vm.VmFixtures.deleteTree(dir);
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException ignored) {
            // the JVM is already exiting: this is the hook
        }
    }
}
