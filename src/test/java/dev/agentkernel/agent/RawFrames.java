package dev.agentkernel.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The agent protocol's framing (docs/PROTOCOL.md) written out independently of the host client in
 * {@code src/main}, so the guest agent's tests check it against the document, not against our own client.
 */
final class RawFrames {
    static final ObjectMapper JSON = new ObjectMapper();
    static final int DATA_HEADER = 14;
    static final int STDOUT = 1;
    static final int STDERR = 2;
    static final int STDIN = 3;
    static final int FILE = 4;

    private RawFrames() {
    }

    /** A frame as read: a JSON object, or a data frame. */
    sealed interface Frame permits Json, Data {
    }

    record Json(JsonNode node) implements Frame {
        @Override
        public String toString() {
            return node.toString();
        }
    }

    record Data(int kind, long stream, long offset, byte[] bytes) implements Frame {
        @Override
        public String toString() {
            return "data(kind " + kind + ", stream " + stream + ", offset " + offset + ", " + bytes.length + " bytes)";
        }
    }

    /** An ordered JSON object from key, value pairs. */
    static Map<String, Object> obj(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    static byte[] json(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] data(int kind, long stream, long offset, byte[] bytes) {
        ByteBuffer b = ByteBuffer.allocate(DATA_HEADER + bytes.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0).put((byte) kind).putInt((int) stream).putLong(offset).put(bytes);
        return b.array();
    }

    /** The 4-byte little-endian length and the payload. */
    static byte[] frame(byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + 4);
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(payload.length).array());
        out.writeBytes(payload);
        return out.toByteArray();
    }

    static void write(OutputStream out, byte[] payload) throws IOException {
        out.write(frame(payload));
        out.flush();
    }

    /** The next frame; EOFException when the stream ends between frames. */
    static Frame read(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        byte[] header = new byte[4];
        int first = in.read();
        if (first < 0) {
            throw new EOFException("the agent closed its output");
        }
        header[0] = (byte) first;
        data.readFully(header, 1, 3);
        int len = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).getInt();
        if (len < 0 || len > (16 << 20)) {
            throw new IOException("frame length out of range: " + Integer.toUnsignedString(len));
        }
        byte[] payload = new byte[len];
        data.readFully(payload);
        if (len > 0 && payload[0] == 0) {
            if (len < DATA_HEADER) {
                throw new IOException("data frame shorter than its header");
            }
            ByteBuffer b = ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
            int kind = b.get(1);
            long stream = Integer.toUnsignedLong(b.getInt(2));
            long offset = b.getLong(6);
            byte[] bytes = new byte[len - DATA_HEADER];
            System.arraycopy(payload, DATA_HEADER, bytes, 0, bytes.length);
            return new Data(kind, stream, offset, bytes);
        }
        return new Json(JSON.readTree(payload));
    }
}
