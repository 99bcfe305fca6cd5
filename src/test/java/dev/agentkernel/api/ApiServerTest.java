package dev.agentkernel.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentkernel.errors.UserInputException;
import dev.agentkernel.sandbox.SandboxService;
import dev.agentkernel.store.AgentkernelHome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The server in-process on a free loopback port over an empty data directory: everything that needs no VM —
 * authentication, the envelope, status codes, the body limit, path forms, the request log, the bind rule.
 */
class ApiServerTest {
    private static final String KEY = "unit-key";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private ApiServer server;
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        SandboxService service = new SandboxService(AgentkernelHome.at(dir.resolve("home")), Map.of());
        server = ApiServer.start(service, "127.0.0.1", 0, ApiKeys.of(List.of(KEY), null, null), "img",
                new PrintStream(log, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> send(String method, String path, String body, String auth) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (auth != null) {
            b.header("Authorization", auth);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> call(String method, String path, String body) throws Exception {
        return send(method, path, body, "Bearer " + KEY);
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        return JSON.readTree(r.body());
    }

    @Test
    void healthNeedsNoKeyEverythingElseDoes() throws Exception {
        HttpResponse<String> health = send("GET", "/health", null, null);
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).isEqualTo("{\"success\":true,\"data\":\"ok\"}");
        for (String auth : new String[] {null, "Bearer wrong", "Bearer " + KEY + "x", KEY, "Basic " + KEY}) {
            HttpResponse<String> r = send("GET", "/sandboxes", null, auth);
            assertThat(r.statusCode()).as(String.valueOf(auth)).isEqualTo(401);
            assertThat(json(r).get("success").asBoolean()).isFalse();
        }
        assertThat(send("GET", "/no/route", null, null).statusCode()).as("auth comes before routing").isEqualTo(401);
        HttpResponse<String> ok = call("GET", "/sandboxes", null);
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo("{\"success\":true,\"data\":[]}");
    }

    @Test
    void unknownRoutesAndSandboxesAre404() throws Exception {
        HttpResponse<String> route = call("GET", "/sandboxes/a/b/c", null);
        assertThat(route.statusCode()).isEqualTo(404);
        assertThat(route.body()).isEqualTo("{\"success\":false,\"error\":\"Not found\"}");
        assertThat(call("PUT", "/sandboxes", "{}").statusCode()).isEqualTo(404);
        HttpResponse<String> sandbox = call("GET", "/sandboxes/ghost", null);
        assertThat(sandbox.statusCode()).isEqualTo(404);
        assertThat(json(sandbox).get("error").asText()).contains("no sandbox named 'ghost'");
        for (String path : List.of("/sandboxes/ghost/files//tmp/x", "/sandboxes/ghost/files/tmp/x",
                "/sandboxes/ghost/files/%2Ftmp%2Fx")) {
            assertThat(call("GET", path, null).statusCode()).as(path).isEqualTo(404);
        }
        assertThat(call("POST", "/sandboxes/ghost/exec", "{\"command\": [\"true\"]}").statusCode()).isEqualTo(404);
        assertThat(call("GET", "/sandboxes/by-uuid/0190", null).statusCode()).isEqualTo(404);
        assertThat(call("GET", "/sandboxes/ghost/exec/detached", null).statusCode()).isEqualTo(404);
        assertThat(call("GET", "/sandboxes/ghost/exec/detached/1/logs?stream=stderr", null).statusCode()).isEqualTo(404);
        assertThat(call("GET", "/sandboxes/ghost/exec/detached/x", null).statusCode()).isEqualTo(400);
    }

    @Test
    void badInputIs400() throws Exception {
        assertThat(json(call("POST", "/sandboxes", "{\"name\": ")).get("error").asText()).startsWith("Invalid JSON");
        assertThat(call("POST", "/sandboxes", "\"text\"").statusCode()).isEqualTo(400);
        assertThat(json(call("POST", "/sandboxes", "{}")).get("error").asText()).isEqualTo("name is required");
        assertThat(json(call("POST", "/sandboxes", "{\"name\": \"a\", \"vcpus\": \"two\"}")).get("error").asText())
                .contains("'vcpus' must be an integer");
        assertThat(json(call("POST", "/sandboxes", "{\"name\": \"a\", \"memory_mb\": 1.5}")).get("error").asText())
                .contains("'memory_mb'");
        assertThat(json(call("POST", "/sandboxes", "{\"name\": \"a\", \"labels\": [1]}")).get("error").asText())
                .contains("'labels' must be an object");
        assertThat(json(call("POST", "/sandboxes", "{\"name\": \"a\", \"ttl\": \"soon\"}")).get("error").asText())
                .contains("ttl");
        assertThat(call("POST", "/run", "{\"command\": []}").statusCode()).isEqualTo(400);
        assertThat(call("POST", "/run", "{\"command\": [\"true\"], \"profile\": \"x\"}").statusCode()).isEqualTo(400);
        assertThat(call("POST", "/batch/run", "{\"commands\": []}").statusCode()).isEqualTo(400);
        assertThat(call("GET", "/sandboxes/a%ff", null).statusCode()).isEqualTo(400);
        assertThat(call("GET", "/sandboxes/-bad", null).statusCode()).isEqualTo(400);
    }

    @Test
    void bodiesOver16MiBAre413() throws Exception {
        byte[] big = new byte[16 * 1024 * 1024 + 1];
        java.util.Arrays.fill(big, (byte) ' ');
        HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/sandboxes"))
                .header("Authorization", "Bearer " + KEY).POST(HttpRequest.BodyPublishers.ofByteArray(big)).build();
        HttpResponse<String> res = http.send(r, HttpResponse.BodyHandlers.ofString());
        assertThat(res.statusCode()).isEqualTo(413);
        assertThat(json(res).get("error").asText()).isEqualTo("Request body is over 16 MiB");
        byte[] fits = "{}".getBytes(StandardCharsets.UTF_8);
        assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/sandboxes"))
                .header("Authorization", "Bearer " + KEY).POST(HttpRequest.BodyPublishers.ofByteArray(fits)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(400);
    }

    @Test
    void knownButUnservedRoutesAre501() throws Exception {
        for (String[] r : new String[][] {{"GET", "/orchestrations"}, {"POST", "/objects/C/i/call/m"}, {"GET", "/stores/x"},
                {"GET", "/schedules"}, {"POST", "/sandboxes/a/browser/start"}}) {
            HttpResponse<String> res = call(r[0], r[1], r[0].equals("GET") ? null : "{}");
            assertThat(res.statusCode()).as(r[0] + " " + r[1]).isEqualTo(501);
            assertThat(json(res).get("success").asBoolean()).isFalse();
        }
    }

    @Test
    void everyRequestIsLoggedWithItsStatusAndDuration() throws Exception {
        call("GET", "/sandboxes", null);
        send("GET", "/sandboxes", null, null);
        call("GET", "/nope", null);
        // a line is written once its answer has gone out: give the last one a moment
        long deadline = System.currentTimeMillis() + 5000;
        while (!log.toString(StandardCharsets.UTF_8).contains("GET /nope 404") && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        String text = log.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("agentkernel API listening on http://127.0.0.1:" + server.port() + " (1 API key(s))");
        assertThat(text).containsPattern("GET /sandboxes 200 \\d+ ms").containsPattern("GET /sandboxes 401 \\d+ ms")
                .containsPattern("GET /nope 404 \\d+ ms");
    }

    @Test
    void withoutKeysOnlyLoopbackMayBeBound() {
        SandboxService service = new SandboxService(AgentkernelHome.at(dir.resolve("home2")), Map.of());
        assertThatThrownBy(() -> ApiServer.start(service, "0.0.0.0", 0, ApiKeys.none(), "img", System.err))
                .isInstanceOf(UserInputException.class).hasMessageContaining("refusing to listen on 0.0.0.0");
        try (ApiServer loopback = ApiServer.start(service, "localhost", 0, ApiKeys.none(), "img",
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))) {
            assertThat(loopback.port()).isPositive();
        }
    }
}
