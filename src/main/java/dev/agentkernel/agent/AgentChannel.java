package dev.agentkernel.agent;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;

/**
 * A connected byte stream to the guest agent that carries frames (docs/PROTOCOL.md): a 4-byte little-endian
 * length, then that many bytes of payload, a JSON object or a data frame. {@link #send} is safe to call from
 * several threads (frames never interleave); {@link #receive} is called by one reader at a time.
 */
public interface AgentChannel extends Closeable {
    /**
     * JSON frames larger than this are refused: the protocol's 16 MiB, plus room for the object around the
     * largest answer of version 1, a 12 MiB {@code read_file} whose base64 alone is 16 MiB.
     */
    int MAX_JSON_BYTES = (16 << 20) + (4 << 10);
    /** A data frame's header: 0x00, kind, stream (u32), offset (u64). */
    int DATA_HEADER_BYTES = 14;
    /** Bytes a data frame carries at most. */
    int MAX_DATA_BYTES = 1 << 20;
    /** No frame is longer; a longer announced length is refused before anything is read into memory. */
    int MAX_FRAME_BYTES = Math.max(MAX_JSON_BYTES, DATA_HEADER_BYTES + MAX_DATA_BYTES);

    /**
     * Sends one frame whose payload is {@code parts} in order (the length header is added), waiting at most
     * until {@code deadline} (null: no deadline) for the guest to take it.
     *
     * @throws java.net.SocketTimeoutException when the deadline passes first (the frame may be half sent: the
     *                                         connection is then unusable)
     */
    void send(Instant deadline, ByteBuffer... parts) throws IOException;

    /** Sends one frame, without a deadline. */
    default void send(byte[] payload) throws IOException {
        send(null, ByteBuffer.wrap(payload));
    }

    /**
     * The next frame's payload, waiting until {@code deadline} (null: no deadline). The buffer grows as the
     * bytes arrive, never ahead of them, so an announced length costs nothing until it is sent.
     *
     * @throws java.net.SocketTimeoutException when the deadline passes first
     * @throws java.io.EOFException when the guest side closed the stream
     * @throws FrameTooLargeException when the announced length is over {@link #MAX_FRAME_BYTES}
     */
    byte[] receive(Instant deadline) throws IOException;

    /** Sends raw bytes, header included; for tests of the agent's handling of broken frames. */
    void sendRaw(byte[] bytes) throws IOException;

    /**
     * Reads at least one and at most {@code length} raw bytes, frames or not (to find the frames again in a
     * stream that lost step), waiting until {@code deadline}; the count read.
     */
    int receiveRaw(byte[] buffer, int offset, int length, Instant deadline) throws IOException;

    static byte[] header(int length) {
        return new byte[] {(byte) length, (byte) (length >>> 8), (byte) (length >>> 16), (byte) (length >>> 24)};
    }

    static int length(byte[] header) {
        return (header[0] & 0xFF) | (header[1] & 0xFF) << 8 | (header[2] & 0xFF) << 16 | (header[3] & 0xFF) << 24;
    }

    /** The announced length of a frame, checked against the limit. */
    static int checkedLength(byte[] header) throws FrameTooLargeException {
        long length = Integer.toUnsignedLong(length(header));
        if (length > MAX_FRAME_BYTES) {
            throw new FrameTooLargeException(length);
        }
        return (int) length;
    }

    /** A frame whose announced length is over the limit: nothing of it was read. */
    final class FrameTooLargeException extends IOException {
        private final long length;

        public FrameTooLargeException(long length) {
            super("the guest agent announced a frame of " + length + " bytes, more than the limit of "
                    + MAX_FRAME_BYTES);
            this.length = length;
        }

        public long length() {
            return length;
        }
    }
}
