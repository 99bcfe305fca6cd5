package dev.agentkernel.api;

import java.util.LinkedHashMap;
import java.util.Map;

/** A request that ends with an error reply: its status, its message and any fields the reply adds. */
final class ApiException extends RuntimeException {
    private final int status;
    private final Map<String, Object> extra;

    ApiException(int status, String message) {
        this(status, message, Map.of());
    }

    ApiException(int status, String message, Map<String, Object> extra) {
        super(message);
        this.status = status;
        this.extra = new LinkedHashMap<>(extra);
    }

    int status() {
        return status;
    }

    Map<String, Object> extra() {
        return extra;
    }

    static ApiException badRequest(String message) {
        return new ApiException(400, message);
    }

    static ApiException notFound() {
        return new ApiException(404, "Not found");
    }

    static ApiException notImplemented(String message) {
        return new ApiException(501, message);
    }
}
