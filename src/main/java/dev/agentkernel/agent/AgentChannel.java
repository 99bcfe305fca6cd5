package dev.agentkernel.agent;

import java.io.Closeable;
import java.io.IOException;
import java.time.Instant;

/**
 * A connected byte stream to the guest agent that carries frames: a 4-byte little-endian length, then that
 * many bytes of JSON.
 */
public interface AgentChannel extends Closeable {
    /**
     * Answers larger than this are refused. The agent's largest: two streams of at most 8 MiB each, as JSON
     * strings (at most 6 bytes per byte, for control characters written as backslash-u escapes) or, when not UTF-8,
     * as a string with U+FFFD plus base64 (at most 3 + 4/3 bytes per byte): under 100 MiB.
     */
    int MAX_RESPONSE_BYTES = 100 << 20;

    void send(byte[] payload) throws IOException;

    /**
     * The next frame, waiting until {@code deadline} (null: no deadline).
     *
     * @throws java.net.SocketTimeoutException when the deadline passes first
     * @throws java.io.EOFException when the guest side closed the stream
     */
    byte[] receive(Instant deadline) throws IOException;

    /** Sends raw bytes, header included; for tests of the agent's handling of broken frames. */
    void sendRaw(byte[] bytes) throws IOException;

    static byte[] header(int length) {
        return new byte[] {(byte) length, (byte) (length >>> 8), (byte) (length >>> 16), (byte) (length >>> 24)};
    }

    static int length(byte[] header) {
        return (header[0] & 0xFF) | (header[1] & 0xFF) << 8 | (header[2] & 0xFF) << 16 | (header[3] & 0xFF) << 24;
    }
}
