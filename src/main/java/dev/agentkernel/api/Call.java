package dev.agentkernel.api;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.List;
import java.util.Map;

/**
 * One request as a route sees it: its path parameters (percent-decoded), its query and its body, which the
 * handler has already read within the size limit.
 *
 * @param tail the decoded segments matched by a trailing {@code **} (the file path of the files routes)
 */
record Call(Map<String, String> params, List<String> tail, Map<String, String> query, byte[] body,
            ObjectMapper json) {
    String param(String name) {
        return params.get(name);
    }

    JsonBody jsonBody() {
        return JsonBody.parse(body, json);
    }
}
