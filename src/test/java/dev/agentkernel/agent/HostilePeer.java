package dev.agentkernel.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The guest side of a Unix socket pair, played by a test: it reads what the client sends and answers whatever
 * the test scripts, well-formed or not. The client side is a real {@link SocketAgentChannel}.
 */
final class HostilePeer implements Closeable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SocketChannel peer;
    private final SocketAgentChannel client;

    private HostilePeer(SocketChannel peer, SocketAgentChannel client) {
        this.peer = peer;
        this.client = client;
    }

    static HostilePeer open(Path dir) throws IOException {
        Path socket = dir.resolve("peer-" + System.nanoTime() + ".sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            SocketChannel clientSide = SocketChannel.open(StandardProtocolFamily.UNIX);
            clientSide.connect(UnixDomainSocketAddress.of(socket));
            SocketChannel peerSide = server.accept();
            return new HostilePeer(peerSide, new SocketAgentChannel(clientSide));
        }
    }

    SocketAgentChannel clientChannel() {
        return client;
    }

    /** A connection whose hello this peer answers as a version-2 agent. */
    AgentConnection connect(Liveness liveness) throws IOException {
        var result = java.util.concurrent.CompletableFuture.supplyAsync(() -> AgentConnection.open(client,
                Duration.ofSeconds(5), "the test peer", null, liveness));
        answerHello();
        return result.join();
    }

    AgentConnection connect() throws IOException {
        return connect(new Liveness());
    }

    void answerHello() throws IOException {
        JsonNode hello = readJson();
        sendJson("{\"id\":\"" + hello.get("id").asText() + "\",\"exit_code\":0,\"protocol\":2,\"agent\":\"test\","
                + "\"features\":[\"exec\",\"copy\"]}");
    }

    /** The next frame from the client as JSON (it must be one). */
    JsonNode readJson() throws IOException {
        byte[] payload = readFrame();
        return JSON.readTree(payload);
    }

    byte[] readFrame() throws IOException {
        ByteBuffer header = ByteBuffer.allocate(4);
        readFully(header);
        int length = AgentChannel.length(header.array());
        ByteBuffer payload = ByteBuffer.allocate(length);
        readFully(payload);
        return payload.array();
    }

    private void readFully(ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (peer.read(buffer) < 0) {
                throw new EOFException("the client closed the connection");
            }
        }
    }

    void sendJson(String json) throws IOException {
        sendFrame(json.getBytes(StandardCharsets.UTF_8));
    }

    void sendFrame(byte[] payload) throws IOException {
        sendRaw(AgentChannel.header(payload.length));
        sendRaw(payload);
    }

    void sendData(int kind, long stream, long offset, byte[] bytes) throws IOException {
        ByteBuffer frame = ByteBuffer.allocate(AgentChannel.DATA_HEADER_BYTES + bytes.length).order(ByteOrder.LITTLE_ENDIAN);
        frame.put((byte) 0).put((byte) kind).putInt((int) stream).putLong(offset).put(bytes);
        sendFrame(frame.array());
    }

    /**
     * Writes bytes. A host that refused what came before may have closed the connection already (that is the
     * behaviour under test), so a write into a closed connection is dropped, not a failure of the test.
     */
    void sendRaw(byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        try {
            while (buffer.hasRemaining()) {
                peer.write(buffer);
            }
        } catch (IOException e) {
            String message = String.valueOf(e.getMessage());
            if (!message.contains("Broken pipe") && !message.contains("Connection reset")) {
                throw e;
            }
        }
    }

    /** Reads a request and answers it with {@code fields} (JSON members without braces) under its id. */
    JsonNode answer(String fields) throws IOException {
        JsonNode request = readJson();
        sendJson("{\"id\":\"" + request.get("id").asText() + "\"" + (fields.isEmpty() ? "" : "," + fields) + "}");
        return request;
    }

    /** The guest goes away; the client's side stays as it is. */
    void closeGuestSide() throws IOException {
        peer.close();
    }

    @Override
    public void close() throws IOException {
        try (peer; client) {
            // closes both sides
        }
    }
}
