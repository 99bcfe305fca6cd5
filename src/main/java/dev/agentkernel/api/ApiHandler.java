package dev.agentkernel.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentkernel.errors.AgentkernelException;
import dev.agentkernel.errors.UserInputException;
import dev.agentkernel.sandbox.FileTooLargeException;
import dev.agentkernel.sandbox.NoSuchSandboxException;
import dev.agentkernel.sandbox.SandboxConflictException;
import dev.agentkernel.sandbox.SandboxRemovedException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every request: authentication, the route, the body (at most {@link #MAX_BODY_BYTES}), the envelope
 * {@code {"success": …}} and its status, the log line. Routes only translate to the sandbox service; this class
 * maps the service's errors to statuses: no such sandbox 404, a conflict with the sandbox's state (a taken name,
 * not running, removed while in use) 409, other bad input 400, anything else 500.
 */
final class ApiHandler extends Handler.Abstract {
    /** agentkernel's limit on a request body. */
    static final int MAX_BODY_BYTES = 16 * 1024 * 1024;
    private static final long MAX_DRAINED_BYTES = 64L * 1024 * 1024;

    private final List<Route> routes;
    private final ApiKeys keys;
    private final ObjectMapper json;
    private final RequestLog log;

    ApiHandler(List<Route> routes, ApiKeys keys, ObjectMapper json, RequestLog log) {
        this.routes = List.copyOf(routes);
        this.keys = keys;
        this.json = json;
        this.log = log;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        long start = System.nanoTime();
        String method = request.getMethod();
        String rawPath = request.getHttpURI().getPath();
        int status = 500;
        Throwable failure = null;
        try {
            status = dispatch(request, response, method, rawPath);
        } catch (UncheckedIOException | IOException clientGone) {
            status = 499; // nginx's "client closed request", for the log only
            failure = clientGone instanceof UncheckedIOException u ? u.getCause() : clientGone;
        } catch (RuntimeException e) {
            failure = e;
        }
        // the status is known once the answer is written; the exchange completes after its line is logged
        log.request(method, rawPath, status, (System.nanoTime() - start) / 1_000_000);
        if (failure == null) {
            callback.succeeded();
        } else {
            callback.failed(failure);
        }
        return true;
    }

    private int dispatch(Request request, Response response, String method, String rawPath) throws IOException {
        List<String> segments;
        Reply reply;
        try {
            segments = RequestPath.segments(rawPath);
            boolean health = method.equals("GET") && segments.equals(List.of("health"));
            if (!health && keys.required() && !keys.accepts(request.getHeaders().get(HttpHeader.AUTHORIZATION))) {
                throw new ApiException(401, request.getHeaders().get(HttpHeader.AUTHORIZATION) == null
                        ? "Missing Authorization header" : "Invalid API key");
            }
            reply = health ? Reply.ok("ok") : route(request, method, segments);
        } catch (ApiException e) {
            return error(response, e.status(), e.getMessage(), e.extra());
        } catch (NoSuchSandboxException e) {
            return error(response, 404, e.getMessage(), Map.of());
        } catch (SandboxConflictException | SandboxRemovedException e) {
            return error(response, 409, e.getMessage(), Map.of());
        } catch (FileTooLargeException e) {
            return error(response, 413, e.getMessage(), Map.of());
        } catch (UserInputException e) {
            return error(response, 400, e.getMessage(), Map.of());
        } catch (AgentkernelException e) {
            return error(response, 500, e.getMessage(), Map.of());
        } catch (RuntimeException e) {
            log.note("internal error on " + method + " " + rawPath + ": " + e);
            return error(response, 500, "internal error: " + e, Map.of());
        }
        if (reply instanceof Reply.Events events) {
            return stream(response, events);
        }
        Reply.Data data = (Reply.Data) reply;
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("success", true);
        body.put("data", data.data());
        return send(response, data.status(), body);
    }

    private Reply route(Request request, String method, List<String> segments) throws IOException {
        for (Route r : routes) {
            if (!r.method().equals(method)) {
                continue;
            }
            Map<String, String> params = r.match(segments);
            if (params != null) {
                List<String> tail = segments.subList(Math.min(r.fixedSegments(), segments.size()), segments.size());
                Map<String, String> query = RequestPath.query(request.getHttpURI().getQuery());
                return r.action().apply(new Call(params, List.copyOf(tail), query, body(request), json));
            }
        }
        throw ApiException.notFound();
    }

    /** The request body, refused with 413 past the limit (by its Content-Length, or as it is read). */
    private static byte[] body(Request request) throws IOException {
        long declared = request.getLength();
        byte[] buf = new byte[64 * 1024];
        try (InputStream in = Content.Source.asInputStream(request)) {
            if (declared > MAX_BODY_BYTES) {
                drain(in, buf);
                throw tooLarge();
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream(declared > 0 ? (int) declared : 256);
            int n;
            while ((n = in.read(buf)) > 0) {
                if (out.size() + n > MAX_BODY_BYTES) {
                    drain(in, buf);
                    throw tooLarge();
                }
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        }
    }

    /**
     * Reads and drops the rest of a refused body, up to {@link #MAX_DRAINED_BYTES}: a client still sending
     * when the server answers and closes gets a connection reset instead of the 413, so a moderately oversized
     * body is read to its end first; a larger one is cut off.
     */
    private static void drain(InputStream in, byte[] buf) throws IOException {
        long drained = 0;
        int n;
        while (drained < MAX_DRAINED_BYTES && (n = in.read(buf)) > 0) {
            drained += n;
        }
    }

    private static ApiException tooLarge() {
        return new ApiException(413, "Request body is over " + MAX_BODY_BYTES / (1024 * 1024) + " MiB");
    }

    private int error(Response response, int status, String message, Map<String, Object> extra) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("success", false);
        body.put("error", message);
        body.putAll(extra);
        return send(response, status, body);
    }

    private int send(Response response, int status, Map<String, Object> body) throws IOException {
        byte[] bytes = json.writeValueAsBytes(body);
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        try (OutputStream out = Content.Sink.asOutputStream(response)) {
            out.write(bytes);
        }
        return status;
    }

    private int stream(Response response, Reply.Events events) throws IOException {
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
        try (OutputStream out = Content.Sink.asOutputStream(response)) {
            events.writer().accept(new EventSink(out, json));
        }
        return 200;
    }
}
