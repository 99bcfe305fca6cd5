package dev.agentkernel.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Typed, checked access to the fields of a JSON object from the guest. Every getter rejects a value of the
 * wrong type (JSON null included) or out of range with an {@link AgentProtocolException} naming the field and
 * the object ({@code what}, e.g. "its answer to exec"); an absent optional field gives the default.
 */
final class WireObject {
    private final ObjectNode node;
    private final String what;

    WireObject(ObjectNode node, String what) {
        this.node = node;
        this.what = what;
    }

    String what() {
        return what;
    }

    boolean has(String field) {
        return node.has(field);
    }

    String string(String field) {
        String value = optString(field);
        if (value == null) {
            throw missing(field, "a string");
        }
        return value;
    }

    /** A string without NUL characters or lone surrogates, or null when absent. */
    String optString(String field) {
        JsonNode value = node.get(field);
        if (value == null) {
            return null;
        }
        if (!value.isTextual()) {
            throw AgentProtocolException.field(what, field, "is not a string", value);
        }
        String text = value.textValue();
        if (!wellFormed(text)) {
            throw AgentProtocolException.field(what, field, "holds a NUL character or a lone surrogate", null);
        }
        return text;
    }

    /** Free text from the guest (output, messages): any string, NUL characters included; null when absent. */
    String optText(String field) {
        JsonNode value = node.get(field);
        if (value == null) {
            return null;
        }
        if (!value.isTextual()) {
            throw AgentProtocolException.field(what, field, "is not a string", value);
        }
        return value.textValue();
    }

    long integer(String field, long min, long max) {
        if (!node.has(field)) {
            throw missing(field, "an integer");
        }
        return optInteger(field, min, max, 0);
    }

    long optInteger(String field, long min, long max, long fallback) {
        JsonNode value = node.get(field);
        if (value == null) {
            return fallback;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < min
                || value.longValue() > max) {
            throw AgentProtocolException.field(what, field, "is not an integer from " + min + " to " + max, value);
        }
        return value.longValue();
    }

    boolean optBoolean(String field, boolean fallback) {
        JsonNode value = node.get(field);
        if (value == null) {
            return fallback;
        }
        if (!value.isBoolean()) {
            throw AgentProtocolException.field(what, field, "is not true or false", value);
        }
        return value.booleanValue();
    }

    boolean bool(String field) {
        if (!node.has(field)) {
            throw missing(field, "true or false");
        }
        return optBoolean(field, false);
    }

    /** An array of at most {@code maxItems} strings of at most {@code maxChars} each. */
    List<String> strings(String field, int maxItems, int maxChars) {
        JsonNode value = node.get(field);
        if (value == null) {
            throw missing(field, "an array of strings");
        }
        if (!value.isArray() || value.size() > maxItems) {
            throw AgentProtocolException.field(what, field, "is not an array of at most " + maxItems + " strings",
                    value);
        }
        List<String> items = new ArrayList<>(value.size());
        for (JsonNode item : value) {
            if (!item.isTextual() || item.textValue().length() > maxChars || !wellFormed(item.textValue())) {
                throw AgentProtocolException.field(what, field, "holds an item that is not a string of at most "
                        + maxChars + " characters", item);
            }
            items.add(item.textValue());
        }
        return items;
    }

    /** An array of at most {@code maxItems} objects, each checked as {@code itemWhat}. */
    List<WireObject> objects(String field, int maxItems, String itemWhat) {
        JsonNode value = node.get(field);
        if (value == null) {
            throw missing(field, "an array of objects");
        }
        if (!value.isArray() || value.size() > maxItems) {
            throw AgentProtocolException.field(what, field, "is not an array of at most " + maxItems + " objects",
                    value);
        }
        List<WireObject> items = new ArrayList<>(value.size());
        for (JsonNode item : value) {
            if (!(item instanceof ObjectNode object)) {
                throw AgentProtocolException.field(what, field, "holds an item that is not an object", item);
            }
            items.add(new WireObject(object, itemWhat + " in " + what));
        }
        return items;
    }

    /** Decoded base64 (standard alphabet, padded). */
    byte[] base64(String field) {
        String text = string(field);
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw AgentProtocolException.field(what, field, "is not valid base64 (" + e.getMessage() + ")", null);
        }
    }

    private AgentProtocolException missing(String field, String expected) {
        JsonNode value = node.get(field);
        return value == null || value.isNull()
                ? AgentProtocolException.field(what, field, value == null ? "is missing (" + expected + " is required)"
                        : "is null (" + expected + " is required)", null)
                : AgentProtocolException.field(what, field, "is not " + expected, value);
    }

    /** No NUL and no unpaired surrogate (neither can name a file or be shown safely). */
    private static boolean wellFormed(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == 0) {
                return false;
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 == text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}
