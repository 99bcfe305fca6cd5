package dev.agentkernel.agent;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.ByteBuffer;

/** One frame from the guest, classified and checked by {@link Wire#decode}. */
sealed interface Frame {
    /** A JSON object: a response (with {@code id}) or an event (with {@code event}). */
    record Json(ObjectNode node) implements Frame {
    }

    /**
     * A data frame: {@code kind} 1 stdout, 2 stderr, 3 stdin, 4 file data; {@code stream} the session or copy
     * id; {@code offset} the position of its first byte in that stream or file. The bytes are
     * {@code payload[DATA_HEADER_BYTES..]}.
     */
    record Data(int kind, long stream, long offset, byte[] payload) implements Frame {
        static final int STDOUT = 1;
        static final int STDERR = 2;
        static final int STDIN = 3;
        static final int FILE = 4;

        int length() {
            return payload.length - AgentChannel.DATA_HEADER_BYTES;
        }

        ByteBuffer bytes() {
            return ByteBuffer.wrap(payload, AgentChannel.DATA_HEADER_BYTES, length()).asReadOnlyBuffer();
        }
    }
}
