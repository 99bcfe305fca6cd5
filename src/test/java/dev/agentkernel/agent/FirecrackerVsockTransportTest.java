package dev.agentkernel.agent;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Firecracker cannot run here (no usable KVM), so a stand-in plays its vsock Unix socket: it drops the first
 * connection (as Firecracker does while nothing listens on the guest port), then answers
 * {@code CONNECT 52000} with {@code OK <port>} and bridges the bytes to the real agent run with {@code --stdio}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FirecrackerVsockTransportTest {
    @TempDir
    Path tmp;

    private final List<Process> agents = new CopyOnWriteArrayList<>();
    private final List<String> handshakeLines = new CopyOnWriteArrayList<>();
    private ServerSocketChannel server;
    private Thread serverThread;

    @AfterEach
    void stop() throws IOException, InterruptedException {
        if (server != null) {
            server.close();
        }
        if (serverThread != null) {
            serverThread.interrupt();
            serverThread.join(5000);
        }
        for (Process p : agents) {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
        }
    }

    private Path agentBinary() throws IOException {
        assumeTrue(PackagedAgent.available(), "this build has no guest agent (no C compiler)");
        Path binary = tmp.resolve("agent");
        Files.write(binary, PackagedAgent.bytes());
        Files.setPosixFilePermissions(binary, PosixFilePermissions.fromString("rwxr-xr-x"));
        return binary;
    }

    /** Starts the stand-in; {@code answer} is what it replies to CONNECT (the agent is bridged after "OK"). */
    private Path standIn(String answer, int dropFirst) throws IOException {
        Path binary = answer.startsWith("OK") ? agentBinary() : null;
        Path socket = tmp.resolve("v.sock");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        serverThread = new Thread(() -> {
            int seen = 0;
            while (server.isOpen()) {
                try (SocketChannel conn = server.accept()) {
                    if (seen++ < dropFirst) {
                        continue;
                    }
                    // not Channels.newInputStream/newOutputStream: they share a lock, so reading would block writing
                    InputStream in = inputOf(conn);
                    OutputStream out = outputOf(conn);
                    handshakeLines.add(readLine(in));
                    out.write(answer.getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    if (binary != null) {
                        bridge(binary, in, out);
                    }
                } catch (IOException e) {
                    return;
                }
            }
        }, "firecracker-stand-in");
        serverThread.setDaemon(true);
        serverThread.start();
        return socket;
    }

    private void bridge(Path binary, InputStream in, OutputStream out) throws IOException {
        Process agent = new ProcessBuilder(binary.toString(), "--stdio").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        agents.add(agent);
        Thread toAgent = new Thread(() -> {
            try (OutputStream agentIn = agent.getOutputStream()) {
                byte[] buffer = new byte[65536];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    agentIn.write(buffer, 0, n);
                    agentIn.flush(); // the process's stdin is buffered
                }
            } catch (IOException ignored) {
                // connection closed
            }
        });
        toAgent.setDaemon(true);
        toAgent.start();
        agent.getInputStream().transferTo(out);
    }

    private static InputStream inputOf(SocketChannel conn) {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return conn.read(java.nio.ByteBuffer.wrap(b, off, len));
            }
        };
    }

    private static OutputStream outputOf(SocketChannel conn) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(b, off, len);
                while (buffer.hasRemaining()) {
                    conn.write(buffer);
                }
            }
        };
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int c; (c = in.read()) != -1 && c != '\n'; ) {
            line.write(c);
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    @Test
    void handshakeThenTheProtocolRunsOverTheVsockSocket() throws IOException {
        Path socket = standIn("OK 1073741824\n", 1);
        AgentTransport transport = new FirecrackerVsockTransport(socket, FirecrackerVsockTransport.AGENT_PORT);
        AgentChannel channel = transport.connect(Instant.now().plusSeconds(20));
        assertThat(handshakeLines).containsExactly("CONNECT 52000");
        AgentProtocolChecks.brokenFramesAreAnsweredAndTheStreamStaysInStep(channel);
        try (AgentClient agent = new AgentClient(channel)) {
            agent.ping(Duration.ofSeconds(10));
            AgentProtocolChecks.exitCodesAndStreamsApart(agent);
            AgentProtocolChecks.binaryFileRoundTripAndRemoval(agent, tmp.resolve("files").toString());
        }
    }

    @Test
    void aRefusedConnectIsRetriedUntilTheDeadlineThenReported() throws IOException {
        Path socket = standIn("FAILURE no listener\n", 0);
        AgentTransport transport = new FirecrackerVsockTransport(socket, 52000);
        assertThatThrownBy(() -> transport.connect(Instant.now().plusMillis(1500)))
                .isInstanceOf(SocketTimeoutException.class)
                .hasMessageContaining("Firecracker refused CONNECT 52000");
        assertThat(new ArrayList<>(handshakeLines)).hasSizeGreaterThan(1).allMatch("CONNECT 52000"::equals);
    }

    /** The connector persistent Firecracker sandboxes use: a version-2 connection per open, no port to lock. */
    @Test
    void vsockAgentsOpenVersion2ConnectionsOneAfterAnother() throws IOException {
        Path socket = standIn("OK 1073741824\n", 1);
        VsockAgents agents = new VsockAgents(socket, Duration.ofSeconds(20), Duration.ofSeconds(5));
        for (int round = 0; round < 2; round++) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            try (AgentConnection agent = agents.open()) {
                assertThat(agent.hello()).isNotNull();
                ExitStatus status = agent.start(ExecSpec.of(List.of("/bin/sh", "-c", "echo round " + "$0; exit 3",
                        Integer.toString(round))), out, err).waitFor(Duration.ofSeconds(20));
                assertThat(status.exitCode()).isEqualTo(3);
            }
            assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("round " + round + "\n");
        }
        assertThat(handshakeLines).containsExactly("CONNECT 52000", "CONNECT 52000");
    }

    @Test
    void vsockAgentsSayWhereTheyCouldNotConnect() throws IOException {
        Path socket = standIn("FAILURE no listener\n", 0);
        assertThatThrownBy(() -> new VsockAgents(socket, Duration.ofMillis(800), Duration.ofSeconds(1)).open())
                .isInstanceOf(dev.agentkernel.errors.VmException.class)
                .hasMessageContaining("over vsock at " + socket).hasMessageContaining("refused CONNECT 52000");
    }
}
