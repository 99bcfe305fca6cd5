package dev.agentkernel.snapshot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentkernel.errors.VmException;
import dev.agentkernel.vm.FirecrackerApi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Firecracker's snapshot calls and the capture built on them, against a stand-in for Firecracker's API server on
 * a Unix socket (Firecracker itself needs KVM, which this machine cannot give it): the exact requests
 * ({@code PATCH /vm}, {@code PUT /snapshot/create}, {@code PUT /snapshot/load}), a refusal reported with
 * Firecracker's {@code fault_message}, a silent server bounded by the deadline, and a capture that pauses,
 * copies the disk, snapshots, resumes on every path and commits the snapshot whole or not at all.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FirecrackerSnapshotTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private StandIn standIn;

    @AfterEach
    void stop() throws Exception {
        if (standIn != null) {
            standIn.close();
        }
    }

    /** One request as the stand-in read it. */
    record Request(String head, String body) {
        String requestLine() {
            return head.lines().findFirst().orElse("");
        }

        JsonNode json() throws IOException {
            return JSON.readTree(body);
        }
    }

    /** Plays Firecracker's API server: records each request and answers what {@code answer} says for it. */
    static final class StandIn implements AutoCloseable {
        final Path socket;
        final List<Request> requests = new CopyOnWriteArrayList<>();
        private final ServerSocketChannel server;
        private final Thread thread;

        StandIn(Path socket, Function<Request, String> answer) throws IOException {
            this.socket = socket;
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(socket));
            thread = new Thread(() -> {
                while (server.isOpen()) {
                    try (SocketChannel conn = server.accept()) {
                        InputStream in = Channels.newInputStream(conn);
                        Request request = read(in);
                        requests.add(request);
                        String reply = answer.apply(request);
                        if (reply == null) { // silent: keep the connection open until the client gives up
                            in.read();
                            continue;
                        }
                        OutputStream out = Channels.newOutputStream(conn);
                        out.write(reply.getBytes(StandardCharsets.UTF_8));
                        out.flush();
                    } catch (IOException e) {
                        // closed, or a client that went away
                    }
                }
            }, "firecracker-api-stand-in");
            thread.setDaemon(true);
            thread.start();
        }

        private static Request read(InputStream in) throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("closed in the head");
                }
                head.write(b);
            }
            String text = head.toString(StandardCharsets.ISO_8859_1);
            int length = text.lines().filter(l -> l.startsWith("Content-Length: "))
                    .mapToInt(l -> Integer.parseInt(l.substring(16).trim())).findFirst().orElse(0);
            return new Request(text, new String(in.readNBytes(length), StandardCharsets.UTF_8));
        }

        @Override
        public void close() throws Exception {
            server.close();
            thread.join(5000);
        }
    }

    private static final String NO_CONTENT = "HTTP/1.1 204 No Content\r\nServer: Firecracker API\r\nConnection: keep-alive\r\n\r\n";

    private static String refusal(String message) {
        String body = "{\"fault_message\":\"" + message + "\"}";
        return "HTTP/1.1 400 Bad Request\r\nServer: Firecracker API\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length() + "\r\n\r\n" + body;
    }

    /** Answers 204 to everything; on snapshot/create writes the two files as Firecracker would. */
    private static String firecracker(Request r) {
        if (r.requestLine().startsWith("PUT /snapshot/create ")) {
            try {
                JsonNode body = r.json();
                Files.write(Path.of(body.get("snapshot_path").asText()), new byte[] {1, 2, 3, 4, 5});
                Files.write(Path.of(body.get("mem_file_path").asText()), new byte[64 * 1024]);
            } catch (IOException e) {
                return refusal("cannot write: " + e.getMessage());
            }
        }
        return NO_CONTENT;
    }

    private FirecrackerApi api(Function<Request, String> answer, Duration timeout) throws IOException {
        standIn = new StandIn(tmp.resolve("api.sock"), answer);
        return new FirecrackerApi(standIn.socket, timeout);
    }

    @Test
    void eachCallIsExactlyTheRequestFirecrackersApiDescribes() throws Exception {
        FirecrackerApi api = api(r -> NO_CONTENT, Duration.ofSeconds(10));
        api.pause();
        api.createSnapshot(Path.of("/snap/state.bin"), Path.of("/snap/memory.bin"));
        api.resume();
        api.loadSnapshot(Path.of("/snap/state.bin"), Path.of("/snap/memory.bin"));
        List<Request> got = standIn.requests;
        assertThat(got).extracting(Request::requestLine).containsExactly("PATCH /vm HTTP/1.1",
                "PUT /snapshot/create HTTP/1.1", "PATCH /vm HTTP/1.1", "PUT /snapshot/load HTTP/1.1");
        assertThat(got.get(0).head()).isEqualTo("PATCH /vm HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\n"
                + "Content-Type: application/json\r\nContent-Length: 18\r\n\r\n");
        assertThat(got.get(0).body()).isEqualTo("{\"state\":\"Paused\"}");
        assertThat(got.get(1).body()).isEqualTo("{\"snapshot_type\":\"Full\",\"snapshot_path\":\"/snap/state.bin\","
                + "\"mem_file_path\":\"/snap/memory.bin\"}");
        assertThat(got.get(2).body()).isEqualTo("{\"state\":\"Resumed\"}");
        assertThat(got.get(3).body()).isEqualTo("{\"snapshot_path\":\"/snap/state.bin\",\"mem_backend\":"
                + "{\"backend_type\":\"File\",\"backend_path\":\"/snap/memory.bin\"},\"enable_diff_snapshots\":false,"
                + "\"resume_vm\":true}");
    }

    @Test
    void aRefusalIsAnErrorWithFirecrackersOwnMessage() throws Exception {
        FirecrackerApi api = api(r -> refusal("The requested operation is not supported in the current VM state."),
                Duration.ofSeconds(10));
        assertThatThrownBy(api::pause).isInstanceOf(VmException.class)
                .hasMessageContaining("refused PATCH /vm (HTTP 400)")
                .hasMessageContaining("not supported in the current VM state");
    }

    @Test
    void aServerThatNeverAnswersIsGivenUpOnAtTheDeadline() throws Exception {
        FirecrackerApi api = api(r -> null, Duration.ofMillis(500));
        long t = System.nanoTime();
        assertThatThrownBy(api::resume).isInstanceOf(VmException.class).hasMessageContaining("no answer in time");
        assertThat(Duration.ofNanos(System.nanoTime() - t)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aMalformedOrHugeAnswerIsAnError() throws Exception {
        FirecrackerApi api = api(r -> "SSH-2.0-OpenSSH\r\n\r\n", Duration.ofSeconds(5));
        assertThatThrownBy(api::pause).isInstanceOf(VmException.class).hasMessageContaining("not an HTTP status line");
        standIn.close();
        Files.delete(tmp.resolve("api.sock"));
        api = api(r -> "HTTP/1.1 200 OK\r\nContent-Length: 99999999\r\n\r\n", Duration.ofSeconds(5));
        assertThatThrownBy(api::pause).isInstanceOf(VmException.class).hasMessageContaining("Content-Length");
    }

    private MachineFingerprint fingerprint() throws IOException {
        Files.writeString(tmp.resolve("firecracker"), "fc");
        Files.writeString(tmp.resolve("vmlinux"), "k");
        Files.writeString(tmp.resolve("rootfs.ext4"), "r");
        return MachineFingerprint.of(List.of(tmp.resolve("firecracker").toString(), "--config-file", "{}"),
                tmp.resolve("sb"), tmp.resolve("vmlinux"), null, "key", tmp.resolve("rootfs.ext4"));
    }

    @Test
    void aCapturePausesCopiesTheDiskSnapshotsResumesAndCommitsTheWholeSnapshot() throws Exception {
        FirecrackerApi api = api(FirecrackerSnapshotTest::firecracker, Duration.ofSeconds(10));
        Path disk = tmp.resolve("disk.raw");
        Files.write(disk, "the guest's disk".getBytes(StandardCharsets.UTF_8));
        MachineFingerprint fingerprint = fingerprint();
        Path target = tmp.resolve("snapshots").resolve(fingerprint.key());
        Files.createDirectories(target.getParent());
        SnapshotHeader made = FirecrackerSnapshotCapture.capture(api, disk, target, (state, memory) ->
                new SnapshotHeader(SnapshotHeader.BOOT, null, fingerprint, state, "Firecracker v1.7.0", null,
                        "2026-01-01T00:00:00Z", SnapshotHeader.FIRECRACKER, memory));

        assertThat(standIn.requests).extracting(Request::body).containsExactly("{\"state\":\"Paused\"}",
                "{\"snapshot_type\":\"Full\",\"snapshot_path\":\"" + target.getParent() + "/." + target.getFileName()
                        + "." + dev.agentkernel.store.TemporaryFiles.ownerTag() + ".tmp/state.bin\",\"mem_file_path\":\""
                        + target.getParent() + "/." + target.getFileName() + "."
                        + dev.agentkernel.store.TemporaryFiles.ownerTag() + ".tmp/memory.bin\"}",
                "{\"state\":\"Resumed\"}");
        SnapshotFiles files = new SnapshotFiles(target);
        assertThat(made.stateBytes()).isEqualTo(5);
        assertThat(made.memoryBytes()).isEqualTo(64 * 1024);
        assertThat(files.readHeader()).isEqualTo(made);
        assertThat(files.rawDisk()).hasContent("the guest's disk");
        try (var left = Files.list(target.getParent())) {
            assertThat(left).containsExactly(target);
        }
        assertThat(files.problem(fingerprint)).isEmpty();

        Files.write(files.memory(), new byte[100]);
        assertThat(files.problem(fingerprint)).get().asString().contains("memory file").contains("truncated");
        Files.write(files.memory(), new byte[64 * 1024]);
        Files.delete(files.rawDisk());
        assertThat(files.problem(fingerprint)).get().asString().contains("disk").contains("missing");

        standIn.requests.clear();
        FirecrackerSnapshotCapture.load(api, files);
        assertThat(standIn.requests).extracting(Request::requestLine).containsExactly("PUT /snapshot/load HTTP/1.1");
        JsonNode load = standIn.requests.get(0).json();
        assertThat(load.get("snapshot_path").asText()).isEqualTo(files.state().toAbsolutePath().toString());
        assertThat(load.at("/mem_backend/backend_path").asText()).isEqualTo(files.memory().toAbsolutePath().toString());
        assertThat(load.get("resume_vm").asBoolean()).isTrue();
    }

    @Test
    void aRefusedSnapshotResumesTheVmAndLeavesNothing() throws Exception {
        FirecrackerApi api = api(r -> r.requestLine().startsWith("PUT /snapshot/create ")
                ? refusal("No space left on device") : NO_CONTENT, Duration.ofSeconds(10));
        Path disk = Files.write(tmp.resolve("disk.raw"), new byte[] {7});
        MachineFingerprint fingerprint = fingerprint();
        Path target = tmp.resolve("snapshots").resolve(fingerprint.key());
        Files.createDirectories(target.getParent());
        assertThatThrownBy(() -> FirecrackerSnapshotCapture.capture(api, disk, target, (state, memory) ->
                new SnapshotHeader(SnapshotHeader.BOOT, null, fingerprint, state, "v", null, "t",
                        SnapshotHeader.FIRECRACKER, memory)))
                .isInstanceOf(VmException.class).hasMessageContaining("No space left on device");
        assertThat(standIn.requests).extracting(Request::body)
                .containsExactly("{\"state\":\"Paused\"}", standIn.requests.get(1).body(), "{\"state\":\"Resumed\"}");
        try (var left = Files.list(target.getParent())) {
            assertThat(left).isEmpty();
        }
    }
}
