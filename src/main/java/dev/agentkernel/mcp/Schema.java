package dev.agentkernel.mcp;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A tool's input schema (a JSON Schema object), built property by property. */
final class Schema {
    private final Map<String, Object> properties = new LinkedHashMap<>();
    private List<String> required = List.of();

    static Schema object() {
        return new Schema();
    }

    Schema string(String name, String description) {
        return prop(name, Map.of("type", "string", "description", description));
    }

    Schema integer(String name, String description) {
        return prop(name, Map.of("type", "integer", "description", description));
    }

    Schema bool(String name, String description) {
        return prop(name, Map.of("type", "boolean", "description", description));
    }

    Schema strings(String name, String description) {
        return prop(name, Map.of("type", "array", "items", Map.of("type", "string"), "description", description));
    }

    Schema stringMap(String name, String description) {
        return prop(name, Map.of("type", "object", "additionalProperties", Map.of("type", "string"),
                "description", description));
    }

    Schema oneOf(String name, List<String> values, String description) {
        return prop(name, Map.of("type", "string", "enum", values, "description", description));
    }

    Schema required(String... names) {
        this.required = List.of(names);
        return this;
    }

    private Schema prop(String name, Map<String, Object> schema) {
        properties.put(name, schema);
        return this;
    }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "object");
        m.put("properties", properties);
        if (!required.isEmpty()) {
            m.put("required", required);
        }
        return m;
    }
}
