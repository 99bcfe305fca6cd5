package dev.agentkernel.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A request's JSON object, read field by field: each accessor checks the field's type and says which field is
 * wrong. Absent and {@code null} fields are the same (the SDK sends undefined options as absent).
 */
final class JsonBody {
    private final ObjectNode node;

    private JsonBody(ObjectNode node) {
        this.node = node;
    }

    static JsonBody parse(byte[] bytes, ObjectMapper json) {
        if (bytes.length == 0) {
            return new JsonBody(JsonNodeFactory.instance.objectNode());
        }
        JsonNode tree;
        try {
            tree = json.readTree(bytes);
        } catch (IOException e) {
            throw ApiException.badRequest("Invalid JSON: " + firstLine(e.getMessage()));
        }
        if (tree == null || tree.isMissingNode()) {
            return new JsonBody(JsonNodeFactory.instance.objectNode());
        }
        if (!(tree instanceof ObjectNode object)) {
            throw ApiException.badRequest("Invalid JSON: the body must be an object");
        }
        return new JsonBody(object);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "malformed";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    private JsonNode field(String name) {
        JsonNode v = node.get(name);
        return v == null || v.isNull() ? null : v;
    }

    boolean has(String name) {
        return field(name) != null;
    }

    String string(String name) {
        JsonNode v = field(name);
        if (v == null) {
            return null;
        }
        if (!v.isTextual()) {
            throw ApiException.badRequest("'" + name + "' must be a string");
        }
        return v.textValue();
    }

    String requiredString(String name) {
        String v = string(name);
        if (v == null || v.isEmpty()) {
            throw ApiException.badRequest(name + " is required");
        }
        return v;
    }

    Integer integer(String name, long min, long max) {
        JsonNode v = field(name);
        if (v == null) {
            return null;
        }
        if (!v.canConvertToLong() || !v.isIntegralNumber() || v.longValue() < min || v.longValue() > max) {
            throw ApiException.badRequest("'" + name + "' must be an integer from " + min + " to " + max);
        }
        return (int) v.longValue();
    }

    Long longValue(String name, long min, long max) {
        JsonNode v = field(name);
        if (v == null) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < min || v.longValue() > max) {
            throw ApiException.badRequest("'" + name + "' must be an integer from " + min + " to " + max);
        }
        return v.longValue();
    }

    boolean bool(String name) {
        JsonNode v = field(name);
        if (v == null) {
            return false;
        }
        if (!v.isBoolean()) {
            throw ApiException.badRequest("'" + name + "' must be true or false");
        }
        return v.booleanValue();
    }

    /** A list of strings; absent: empty. */
    List<String> strings(String name) {
        JsonNode v = field(name);
        List<String> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        if (!v.isArray()) {
            throw ApiException.badRequest("'" + name + "' must be an array of strings");
        }
        for (JsonNode item : v) {
            if (!item.isTextual()) {
                throw ApiException.badRequest("'" + name + "' must be an array of strings");
            }
            out.add(item.textValue());
        }
        return out;
    }

    /** An object whose values are strings; absent: null. */
    Map<String, String> stringMap(String name) {
        JsonNode v = field(name);
        if (v == null) {
            return null;
        }
        if (!v.isObject()) {
            throw ApiException.badRequest("'" + name + "' must be an object of strings");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw ApiException.badRequest("'" + name + "." + e.getKey() + "' must be a string");
            }
            out.put(e.getKey(), e.getValue().textValue());
        }
        return out;
    }

    /** The objects of an array field; absent: empty. */
    List<JsonBody> objects(String name) {
        JsonNode v = field(name);
        List<JsonBody> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        if (!v.isArray()) {
            throw ApiException.badRequest("'" + name + "' must be an array of objects");
        }
        for (JsonNode item : v) {
            if (!(item instanceof ObjectNode o)) {
                throw ApiException.badRequest("'" + name + "' must be an array of objects");
            }
            out.add(new JsonBody(o));
        }
        return out;
    }
}
