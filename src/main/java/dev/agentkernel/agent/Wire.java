package dev.agentkernel.agent;

import dev.agentkernel.errors.Quote;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** The frames' wire form: JSON objects and data frames, encoded for the guest and decoded (checked) from it. */
final class Wire {
    /** Nesting the agent itself accepts; deeper JSON from the guest is refused. */
    private static final int MAX_DEPTH = 64;

    static final JsonMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(MAX_DEPTH)
                            .maxStringLength(AgentChannel.MAX_JSON_BYTES)
                            .build())
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private Wire() {
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    static byte[] encode(ObjectNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode a request", e);
        }
    }

    /** The 14-byte header of a data frame. */
    static ByteBuffer dataHeader(int kind, long stream, long offset) {
        ByteBuffer header = ByteBuffer.allocate(AgentChannel.DATA_HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        header.put((byte) 0).put((byte) kind).putInt((int) stream).putLong(offset).flip();
        return header;
    }

    /** Classifies and checks one payload from the guest. */
    static Frame decode(byte[] payload) throws AgentProtocolException {
        if (payload.length == 0) {
            throw new AgentProtocolException("it sent an empty frame");
        }
        if (payload[0] == 0) {
            return decodeData(payload);
        }
        if (payload[0] != '{') {
            throw new AgentProtocolException("it sent a frame that is neither a JSON object nor a data frame"
                    + " (first byte 0x" + Integer.toHexString(payload[0] & 0xFF) + ")");
        }
        if (payload.length > AgentChannel.MAX_JSON_BYTES) {
            throw new AgentProtocolException("it sent a JSON frame of " + payload.length + " bytes, over the limit of "
                    + AgentChannel.MAX_JSON_BYTES);
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(payload);
        } catch (IOException e) {
            throw new AgentProtocolException("it sent invalid JSON (" + firstLine(e.getMessage()) + ")", e);
        }
        if (!(node instanceof ObjectNode object)) {
            throw new AgentProtocolException("it sent JSON that is not an object");
        }
        return new Frame.Json(object);
    }

    private static Frame.Data decodeData(byte[] payload) throws AgentProtocolException {
        if (payload.length < AgentChannel.DATA_HEADER_BYTES) {
            throw new AgentProtocolException("it sent a data frame of " + payload.length + " bytes, shorter than its "
                    + AgentChannel.DATA_HEADER_BYTES + "-byte header");
        }
        int length = payload.length - AgentChannel.DATA_HEADER_BYTES;
        if (length > AgentChannel.MAX_DATA_BYTES) {
            throw new AgentProtocolException("it sent a data frame of " + length + " bytes, over the limit of "
                    + AgentChannel.MAX_DATA_BYTES);
        }
        ByteBuffer header = ByteBuffer.wrap(payload, 0, AgentChannel.DATA_HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        int kind = header.get(1) & 0xFF;
        long stream = Integer.toUnsignedLong(header.getInt(2));
        long offset = header.getLong(6);
        if (offset < 0 || offset > Long.MAX_VALUE - length) {
            throw new AgentProtocolException("it sent a data frame at offset " + Long.toUnsignedString(offset)
                    + ", beyond any file or stream");
        }
        return new Frame.Data(kind, stream, offset, payload);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int nl = message.indexOf('\n');
        return Quote.escape(nl < 0 ? message : message.substring(0, nl), 120);
    }
}
