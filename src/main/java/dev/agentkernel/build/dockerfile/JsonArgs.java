package dev.agentkernel.build.dockerfile;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.List;

/**
 * The exec (JSON) form of RUN, CMD, ENTRYPOINT, SHELL, COPY, ADD, VOLUME and HEALTHCHECK: a JSON array of
 * strings. Anything that is not a JSON array is the shell form; a JSON array with anything but strings in it is
 * an error, as in the reference.
 */
final class JsonArgs {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private JsonArgs() {
    }

    /** Thrown for a JSON array that holds something other than strings. */
    static final class NotStrings extends Exception {
        private static final long serialVersionUID = 1L;

        NotStrings() {
            super("when using JSON array syntax, arrays must be comprised of strings only");
        }
    }

    /** The array's strings, or null when {@code rest} is not a JSON array (so it is the shell form). */
    static List<String> parse(String rest) throws NotStrings {
        String t = rest.stripLeading();
        if (!t.startsWith("[")) {
            return null;
        }
        JsonNode node;
        try {
            node = JSON.readTree(t);
        } catch (JsonProcessingException e) {
            return null;
        }
        if (node == null || !node.isArray()) {
            return null;
        }
        List<String> out = new ArrayList<>(node.size());
        for (JsonNode element : node) {
            if (!element.isTextual()) {
                throw new NotStrings();
            }
            out.add(element.textValue());
        }
        return List.copyOf(out);
    }

    /** Whether {@code rest} is the exec form (a JSON array of strings). */
    static boolean isJsonArray(String rest) {
        try {
            return parse(rest) != null;
        } catch (NotStrings e) {
            return false;
        }
    }
}
