package dev.agentkernel.registry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A small HTTP proxy on 127.0.0.1 in front of a registry: records every request and, for blobs named with
 * {@link #cutOnce}, sends the full Content-Length but drops the connection halfway through the body the first
 * time, as a flaky network would.
 */
final class CuttingProxy implements AutoCloseable {
    private static final Set<String> FORWARDED_REQUEST_HEADERS = Set.of("accept", "authorization", "range");
    private static final Set<String> HOP_HEADERS = Set.of("content-length", "transfer-encoding", "connection", "date");

    record Seen(String path, String range, int status) {
    }

    private final HttpServer server;
    private final HttpClient upstreamClient = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private final ExecutorService executor = Executors.newFixedThreadPool(8);
    private final String upstream;
    private final Set<String> cutOnce = ConcurrentHashMap.newKeySet();
    final List<Seen> requests = new CopyOnWriteArrayList<>();

    CuttingProxy(String upstreamAddress) throws IOException {
        this.upstream = "http://" + upstreamAddress;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::forward);
        server.setExecutor(executor);
        server.start();
    }

    String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    /** The next GET of this blob is cut halfway. */
    void cutOnce(dev.agentkernel.image.Digest digest) {
        cutOnce.add(digest.toString());
    }

    /** The blob GETs seen (not HEADs, not manifests), by path suffix digest. */
    List<Seen> blobGets() {
        return requests.stream().filter(r -> r.path().contains("/blobs/")).toList();
    }

    private void forward(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getRawPath();
            String query = ex.getRequestURI().getRawQuery();
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(upstream + path + (query == null ? "" : "?" + query)))
                    .method(ex.getRequestMethod(), HttpRequest.BodyPublishers.noBody())
                    .timeout(Duration.ofSeconds(60));
            ex.getRequestHeaders().forEach((name, values) -> {
                if (FORWARDED_REQUEST_HEADERS.contains(name.toLowerCase())) {
                    values.forEach(v -> request.header(name, v));
                }
            });
            HttpResponse<InputStream> response;
            try {
                response = upstreamClient.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            String range = ex.getRequestHeaders().getFirst("Range");
            requests.add(new Seen(path, range, response.statusCode()));
            response.headers().map().forEach((name, values) -> {
                if (!HOP_HEADERS.contains(name.toLowerCase()) && !name.startsWith(":")) {
                    ex.getResponseHeaders().put(name, values);
                }
            });
            long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            boolean head = ex.getRequestMethod().equals("HEAD");
            String digest = path.substring(path.lastIndexOf('/') + 1);
            boolean cut = !head && path.contains("/blobs/") && response.statusCode() == 200 && length > 1
                    && cutOnce.remove(digest);
            try (InputStream in = response.body()) {
                if (head) {
                    ex.sendResponseHeaders(response.statusCode(), -1);
                    return;
                }
                ex.sendResponseHeaders(response.statusCode(), length == 0 ? -1 : Math.max(length, 0));
                OutputStream out = ex.getResponseBody();
                if (cut) {
                    out.write(in.readNBytes((int) (length / 2)));
                    out.flush();
                    return; // closing the exchange short of Content-Length drops the connection
                }
                in.transferTo(out);
                out.close();
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
