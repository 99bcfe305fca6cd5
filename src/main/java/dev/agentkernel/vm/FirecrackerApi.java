package dev.agentkernel.vm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.errors.VmException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * The few calls of Firecracker's API (its HTTP server on the {@code --api-sock} Unix socket) that snapshots need:
 * pause and resume the VM ({@code PATCH /vm}), write a full snapshot ({@code PUT /snapshot/create}) and load one
 * into a fresh Firecracker ({@code PUT /snapshot/load}). One request per connection, each bounded by a deadline;
 * an answer other than 2xx is an error with Firecracker's {@code fault_message}. Written against Firecracker's
 * API description (v1.x): it is not run against a real Firecracker here (no usable KVM), only against a stand-in.
 */
public final class FirecrackerApi {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** An answer is a status line, a few headers and at most a short JSON body. */
    private static final int MAX_ANSWER = 64 * 1024;

    private final Path socket;
    private final Duration timeout;

    public FirecrackerApi(Path socket, Duration timeout) {
        this.socket = socket;
        this.timeout = timeout;
    }

    /** {@code PATCH /vm {"state":"Paused"}}: the vCPUs stop (a snapshot may only be made of a paused VM). */
    public void pause() {
        call("PATCH", "/vm", JSON.createObjectNode().put("state", "Paused"));
    }

    /** {@code PATCH /vm {"state":"Resumed"}}. */
    public void resume() {
        call("PATCH", "/vm", JSON.createObjectNode().put("state", "Resumed"));
    }

    /** {@code PUT /snapshot/create}: a full snapshot, the device state to {@code state}, guest memory to {@code memory}. */
    public void createSnapshot(Path state, Path memory) {
        ObjectNode body = JSON.createObjectNode();
        body.put("snapshot_type", "Full");
        body.put("snapshot_path", state.toString());
        body.put("mem_file_path", memory.toString());
        call("PUT", "/snapshot/create", body);
    }

    /**
     * {@code PUT /snapshot/load} on a Firecracker started with only {@code --api-sock} (nothing configured yet):
     * the VM's devices come from {@code state}, its memory from {@code memory} (mapped from the file, private
     * copy-on-write), and it runs at once ({@code resume_vm}).
     */
    public void loadSnapshot(Path state, Path memory) {
        ObjectNode body = JSON.createObjectNode();
        body.put("snapshot_path", state.toString());
        ObjectNode backend = body.putObject("mem_backend");
        backend.put("backend_type", "File");
        backend.put("backend_path", memory.toString());
        body.put("enable_diff_snapshots", false);
        body.put("resume_vm", true);
        call("PUT", "/snapshot/load", body);
    }

    private void call(String method, String path, JsonNode body) {
        byte[] content = body.toString().getBytes(StandardCharsets.UTF_8);
        String head = method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + content.length + "\r\n\r\n";
        Instant deadline = Instant.now().plus(timeout);
        String what = method + " " + path + " on " + socket;
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
             Selector selector = Selector.open()) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.configureBlocking(false);
            ByteBuffer out = ByteBuffer.allocate(head.length() + content.length);
            out.put(head.getBytes(StandardCharsets.US_ASCII)).put(content).flip();
            SelectionKey key = channel.register(selector, SelectionKey.OP_WRITE);
            while (out.hasRemaining()) {
                await(selector, deadline, what);
                channel.write(out);
            }
            key.interestOps(SelectionKey.OP_READ);
            Answer answer = read(channel, selector, deadline, what);
            if (answer.status() / 100 != 2) {
                throw new VmException("Firecracker refused " + method + " " + path + " (HTTP " + answer.status() + "): "
                        + fault(answer.body()));
            }
        } catch (IOException e) {
            throw new VmException("Firecracker's API did not answer " + what + ": " + e.getMessage(), e);
        }
    }

    record Answer(int status, String body) {
    }

    /** Reads one HTTP answer: the status line, headers up to a blank line, then Content-Length bytes (bounded). */
    private static Answer read(SocketChannel channel, Selector selector, Instant deadline, String what) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        int headerEnd = -1;
        long length = -1;
        while (true) {
            byte[] bytes = got.toByteArray();
            if (headerEnd < 0) {
                headerEnd = indexOf(bytes, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                if (headerEnd >= 0) {
                    length = contentLength(new String(bytes, 0, headerEnd, StandardCharsets.ISO_8859_1));
                }
            }
            if (headerEnd >= 0 && bytes.length - headerEnd - 4 >= length) {
                String headers = new String(bytes, 0, headerEnd, StandardCharsets.ISO_8859_1);
                return new Answer(status(headers), new String(bytes, headerEnd + 4, (int) length, StandardCharsets.UTF_8));
            }
            if (bytes.length > MAX_ANSWER) {
                throw new IOException("an answer of over " + MAX_ANSWER + " bytes");
            }
            await(selector, deadline, what);
            buffer.clear();
            int n = channel.read(buffer);
            if (n < 0) {
                throw new IOException("the connection closed before a whole answer (" + bytes.length + " bytes)");
            }
            got.write(buffer.array(), 0, n);
        }
    }

    private static void await(Selector selector, Instant deadline, String what) throws IOException {
        long left = Duration.between(Instant.now(), deadline).toMillis();
        if (left <= 0 || selector.select(left) == 0 && Instant.now().isAfter(deadline)) {
            throw new IOException("no answer in time");
        }
        selector.selectedKeys().clear();
    }

    private static int status(String headers) throws IOException {
        String line = headers.lines().findFirst().orElse("");
        String[] parts = line.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.") || !parts[1].matches("\\d{3}")) {
            throw new IOException("not an HTTP status line: " + dev.agentkernel.errors.Quote.name(line));
        }
        return Integer.parseInt(parts[1]);
    }

    private static long contentLength(String headers) throws IOException {
        for (String line : headers.lines().skip(1).toList()) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("content-length")) {
                String value = line.substring(colon + 1).trim();
                if (!value.matches("\\d{1,6}") || Long.parseLong(value) > MAX_ANSWER) {
                    throw new IOException("a Content-Length that is not a small number: " + value);
                }
                return Long.parseLong(value);
            }
        }
        return 0; // 204 No Content, Firecracker's usual answer
    }

    /** Firecracker's error body is {@code {"fault_message": "..."}}; anything else is shown as it came, cut short. */
    private static String fault(String body) {
        try {
            JsonNode node = JSON.readTree(body);
            if (node != null && node.hasNonNull("fault_message")) {
                return cut(node.get("fault_message").asText());
            }
        } catch (IOException e) {
            // not JSON
        }
        return body.isEmpty() ? "no explanation" : cut(body);
    }

    private static String cut(String s) {
        return s.length() > 500 ? s.substring(0, 500) + "..." : s;
    }

    private static int indexOf(byte[] data, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= data.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (data[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
