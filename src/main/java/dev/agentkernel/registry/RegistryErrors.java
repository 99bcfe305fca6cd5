package dev.agentkernel.registry;

import dev.agentkernel.image.json.ImageJson;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the error body of the distribution API, {@code {"errors":[{"code":..,"message":..}]}}, or of an OAuth2
 * token endpoint, {@code {"error":..,"error_description":..}}, for messages.
 */
final class RegistryErrors {
    private static final int MAX_ERROR_BODY = 16 * 1024;

    private RegistryErrors() {
    }

    /** "CODE: message; ..." from the body, or a short plain-text excerpt, or "" when there is nothing useful. */
    static String describe(InputStream body) {
        if (body == null) {
            return "";
        }
        byte[] bytes;
        try (InputStream in = body) {
            bytes = in.readNBytes(MAX_ERROR_BODY);
        } catch (IOException e) {
            return "";
        }
        return describe(bytes);
    }

    static String describe(byte[] bytes) {
        try {
            JsonNode body = ImageJson.mapper().readTree(bytes);
            List<String> parts = new ArrayList<>();
            for (JsonNode e : body.path("errors")) {
                String code = e.path("code").asText("");
                String message = e.path("message").asText("");
                parts.add(code.isEmpty() ? message : message.isEmpty() ? code : code + ": " + message);
            }
            if (!parts.isEmpty()) {
                return String.join("; ", parts);
            }
            String error = body.path("error").asText(""); // an OAuth2 token endpoint's {"error": ...}
            if (!error.isEmpty()) {
                String description = body.path("error_description").asText("");
                return description.isEmpty() ? error : error + ": " + description;
            }
        } catch (IOException | RuntimeException ignored) {
            // Not JSON: show a little of the text instead.
        }
        String text = new String(bytes, StandardCharsets.UTF_8).strip();
        return text.length() > 200 ? text.substring(0, 200) + "..." : text;
    }
}
