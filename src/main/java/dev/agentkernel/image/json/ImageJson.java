package dev.agentkernel.image.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.agentkernel.errors.ImageException;

import java.io.IOException;

/**
 * Reads and writes the JSON shapes of this package. One configured mapper: unknown fields are ignored (the
 * specs grow), nulls are not written, output is deterministic (sorted map keys).
 */
public final class ImageJson {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    private ImageJson() {
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** Parses {@code json} as {@code type}; malformed JSON is an {@link ImageException} naming {@code what}. */
    public static <T> T read(byte[] json, Class<T> type, String what) {
        try {
            T value = MAPPER.readValue(json, type);
            if (value == null) {
                throw new ImageException(what + " is empty (JSON null)");
            }
            return value;
        } catch (IOException e) {
            throw new ImageException(what + " is not valid JSON: " + firstLine(e.getMessage()), e);
        }
    }

    /** Parses {@code json} as a tree, for documents whose kind is decided by their content. */
    public static JsonNode readTree(byte[] json, String what) {
        try {
            JsonNode node = MAPPER.readTree(json);
            if (node == null || !node.isObject()) {
                throw new ImageException(what + " is not a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw new ImageException(what + " is not valid JSON: " + firstLine(e.getMessage()), e);
        }
    }

    /** Serialises a JSON shape. */
    public static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
