package dev.agentkernel.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The port pool against stand-in ports (Unix sockets at the sandbox's socket paths whose "agent" answers
 * hello and says which port it is): free ports are taken in order, a busy pool waits and then says so, a
 * closed connection frees its port, and a client killed with SIGKILL leaves its port free.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AgentPortsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final List<ServerSocketChannel> servers = new ArrayList<>();
    private final List<Process> children = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() throws IOException {
        for (ServerSocketChannel s : servers) {
            s.close();
        }
        for (Process p : children) {
            p.destroyForcibly();
        }
    }

    /** Stand-ins for the first {@code n} ports: each answers hello with agent version "port-N". */
    private void standIns(int n) throws IOException {
        for (int i = 0; i < n; i++) {
            ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(AgentPortLayout.socket(dir, i)));
            servers.add(server);
            int port = i;
            Thread t = new Thread(() -> serve(server, port));
            t.setDaemon(true);
            t.start();
        }
    }

    private static void serve(ServerSocketChannel server, int port) {
        while (server.isOpen()) {
            try (SocketChannel conn = server.accept()) {
                ByteBuffer header = ByteBuffer.allocate(4);
                while (header.hasRemaining() && conn.read(header) >= 0) {
                    // read the length
                }
                ByteBuffer payload = ByteBuffer.allocate(AgentChannel.length(header.array()));
                while (payload.hasRemaining() && conn.read(payload) >= 0) {
                    // read the hello
                }
                JsonNode hello = JSON.readTree(payload.array());
                byte[] answer = ("{\"id\":\"" + hello.get("id").asText() + "\",\"exit_code\":0,\"protocol\":2,"
                        + "\"agent\":\"port-" + port + "\",\"features\":[]}").getBytes(StandardCharsets.UTF_8);
                conn.write(new ByteBuffer[] {ByteBuffer.wrap(AgentChannel.header(answer.length)), ByteBuffer.wrap(answer)});
                ByteBuffer rest = ByteBuffer.allocate(4096);
                while (conn.read(rest) >= 0) {
                    rest.clear(); // hold the connection until the client closes it
                }
            } catch (IOException e) {
                // the next client, or the end of the test
            }
        }
    }

    @Test
    void freePortsAreTakenInOrderAndClosingFreesThem() throws IOException {
        standIns(3);
        AgentPorts pool = new AgentPorts(dir, 3, Duration.ofSeconds(5), Duration.ofSeconds(5));
        AgentConnection a = pool.open();
        AgentConnection b = pool.open();
        assertThat(a.hello().agentVersion()).isEqualTo("port-0");
        assertThat(b.hello().agentVersion()).isEqualTo("port-1");
        assertThat(a.label()).contains("agent").contains(dir.toString());
        a.close();
        AgentConnection c = pool.open();
        assertThat(c.hello().agentVersion()).isEqualTo("port-0");
        AgentConnection d = pool.open();
        assertThat(d.hello().agentVersion()).isEqualTo("port-2");
        b.close();
        c.close();
        d.close();
    }

    @Test
    void aBusyPoolWaitsForAPortThenSaysSo() throws Exception {
        standIns(1);
        AgentPorts pool = new AgentPorts(dir, 1, Duration.ofMillis(500), Duration.ofSeconds(5));
        AgentConnection held = pool.open();
        Instant start = Instant.now();
        assertThatThrownBy(pool::open).hasMessageContaining("all 1 agent ports of " + dir + " stayed in use for 0 s");
        assertThat(Duration.between(start, Instant.now())).isBetween(Duration.ofMillis(450), Duration.ofSeconds(5));

        AgentPorts patient = new AgentPorts(dir, 1, Duration.ofSeconds(10), Duration.ofSeconds(5));
        var waiting = java.util.concurrent.CompletableFuture.supplyAsync(patient::open);
        Thread.sleep(300);
        assertThat(waiting).isNotDone();
        held.close();
        AgentConnection next = waiting.get(10, TimeUnit.SECONDS);
        assertThat(next.hello().agentVersion()).isEqualTo("port-0");
        next.close();
    }

    @Test
    void aPortWhoseAgentDoesNotAnswerIsAClearErrorAndStaysFree() throws IOException {
        ServerSocketChannel mute = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        mute.bind(UnixDomainSocketAddress.of(AgentPortLayout.socket(dir, 0)));
        servers.add(mute);
        AgentPorts pool = new AgentPorts(dir, 1, Duration.ofSeconds(1), Duration.ofMillis(300));
        assertThatThrownBy(pool::open).hasMessageContaining("did not answer hello within 300 ms");
        assertThat(PortLock.tryTake(AgentPortLayout.lockFile(dir, 0))).isPresent().get().satisfies(l -> l.close());

        AgentPorts none = new AgentPorts(dir.resolve("gone"), 1, Duration.ofSeconds(1), Duration.ofMillis(300));
        assertThatThrownBy(none::open).hasMessageContaining("cannot connect to the guest agent on port agent of")
                .hasMessageContaining("is the sandbox running?");
    }

    @Test
    void aClientKilledWithSigkillLeavesItsPortFree() throws Exception {
        standIns(2);
        Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), PortHolderMain.class.getName(), dir.toString(), "0")
                .redirectErrorStream(true).start();
        children.add(holder);
        BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
        assertThat(out.readLine()).isEqualTo("holding");
        AgentPorts pool = new AgentPorts(dir, 2, Duration.ofSeconds(5), Duration.ofSeconds(5));
        AgentConnection whileHeld = pool.open();
        assertThat(whileHeld.hello().agentVersion()).isEqualTo("port-1");
        whileHeld.close();

        new ProcessBuilder("kill", "-KILL", Long.toString(holder.pid())).start().waitFor();
        assertThat(holder.waitFor(10, TimeUnit.SECONDS)).isTrue();
        AgentConnection afterKill = pool.open();
        assertThat(afterKill.hello().agentVersion()).isEqualTo("port-0");
        afterKill.close();
    }
}
