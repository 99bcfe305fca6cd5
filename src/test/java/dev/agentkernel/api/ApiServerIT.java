package dev.agentkernel.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentkernel.cli.Main;
import dev.agentkernel.sandbox.SandboxName;
import dev.agentkernel.sandbox.SandboxService;
import dev.agentkernel.sandbox.SandboxStatus;
import dev.agentkernel.store.AgentkernelHome;
import dev.agentkernel.testing.BusyboxImages;
import dev.agentkernel.testing.NodeClients;
import dev.agentkernel.vm.VmFixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code agentkernel serve} in its own JVM on a free loopback port, driven by agentkernel's real Node SDK
 * (agentkernel@0.18.1, installed by scripts/install-node-clients) and by plain HTTP, on real sandboxes under
 * QEMU (TCG). Sandboxes are shared across the tests: {@code http-a} lives through the class.
 */
@Tag("qemu")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ApiServerIT {
    private static final String KEY = "test-key-" + Long.toHexString(System.nanoTime());
    private static final ObjectMapper JSON = new ObjectMapper();

    private Path work;
    private Path home;
    private BusyboxImages images;
    private String image;
    private NodeClients node;
    private ServeProcess server;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    void start() throws IOException {
        VmFixtures.requireQemuAndKernel();
        node = NodeClients.install();
        work = Files.createTempDirectory("ak-api-test");
        home = work.resolve("home");
        // KVM hangs on these machines (nested): skip the probe, as `setup` would remember its answer.
        Files.createDirectories(home.resolve("kernels"));
        Files.writeString(home.resolve("kernels/accelerator.json"), "{\"accelerator\":\"tcg\"}");
        images = new BusyboxImages(work);
        image = VmFixtures.busyboxArchive(images);
        server = startServer("serve-1.log");
    }

    private ServeProcess startServer(String log) throws IOException {
        return ServeProcess.start(home, work.resolve(log), Map.of(), "--api-key", KEY, "--default-image", image);
    }

    @AfterAll
    void stop() {
        try {
            if (server != null) {
                server.close();
            }
            if (home != null) {
                assertThat(VmFixtures.removeEverySandbox(home)).as("monitors rm -f did not end").isEmpty();
            }
        } finally {
            if (images != null) {
                images.close();
            }
            if (work != null) {
                VmFixtures.deleteTree(work);
            }
        }
    }

    // ---- through the Node SDK ----

    @Test
    @Order(1)
    void theNodeSdkDrivesSandboxes() throws IOException {
        JsonNode r = sdk("sdk-sandboxes.mjs");
        assertThat(r.at("/health/value").asText()).isEqualTo("ok");
        JsonNode created = r.at("/create/value");
        assertThat(created.get("name").asText()).isEqualTo("sdk-a");
        assertThat(created.get("status").asText()).isEqualTo("running");
        assertThat(created.get("memory_mb").asInt()).isEqualTo(256);
        assertThat(created.get("uuid").asText()).matches("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
        assertError(r, "createTaken", "ServerError", "already exists"); // 409, which the SDK has no class for
        assertError(r, "createBadName", "ValidationError", "bad sandbox name");
        assertError(r, "createBadProfile", "ValidationError", "Invalid profile");
        assertThat(r.at("/get/value/uuid")).isEqualTo(created.get("uuid"));
        assertThat(r.at("/list/value").findValuesAsText("name")).contains("sdk-a");
        assertThat(r.at("/byUuid/value/name").asText()).isEqualTo("sdk-a");
        assertError(r, "byUnknownUuid", "NotFoundError", "uuid");
        assertThat(r.at("/exec/value/output").asText()).isEqualTo("hello from /tmp\n");
        assertThat(r.at("/execSudo/value/output").asText()).isEqualTo("0\n");
        assertError(r, "execFails", "ServerError", "Command exited with code 3: out\nerr\n");
        assertError(r, "execMissing", "ServerError", "Command exited with code 127");
        assertThat(r.at("/writeText/value").asText()).isEqualTo("Wrote 14 bytes to /tmp/hello.txt");
        assertThat(r.at("/readText/value/content").asText()).isEqualTo("héllo wörld\n");
        assertThat(r.at("/readText/value/encoding").asText()).isEqualTo("utf8");
        assertThat(r.at("/readText/value/size").asInt()).isEqualTo(14);
        assertThat(r.at("/readBinary/value/encoding").asText()).isEqualTo("base64");
        assertThat(r.at("/readBinary/value/content").asText()).isEqualTo("AP/+gEEKww==");
        assertThat(r.at("/readBinary/value/size").asInt()).isEqualTo(7);
        assertThat(r.at("/binaryByCmp/value/output").asText()).isEqualTo("00fffe80410ac3");
        assertThat(r.at("/writeFiles/value/written").asInt()).isEqualTo(2);
        assertThat(r.at("/readBack/value/output").asText()).isEqualTo("print(1)\nread me\n");
        assertThat(r.at("/deleteFile/value").asText()).isEqualTo("Deleted /tmp/hello.txt");
        assertError(r, "readDeleted", "NotFoundError", "/tmp/hello.txt");
        assertThat(r.at("/logs/value").isArray()).isTrue();
        assertThat(r.at("/logs/value").findValuesAsText("line")).anyMatch(l -> l.contains("Agentkernel guest ready"));
        assertError(r, "extendNoTtl", "ValidationError", "no time to live");
        assertError(r, "unknownSandbox", "NotFoundError", "no sandbox named 'no-such-sandbox'");
        assertError(r, "execUnknown", "NotFoundError", "no sandbox named");
        JsonNode d = r.at("/detached/value");
        assertThat(d.isMissingNode()).as(r.get("detached").toString()).isFalse();
        String id = d.at("/started/id").asText();
        assertThat(d.at("/started/status").asText()).isEqualTo("running");
        assertThat(d.at("/started/sandbox").asText()).isEqualTo("sdk-a");
        assertThat(d.at("/started/pid").asLong()).isPositive();
        assertThat(d.at("/started/command").toString()).contains("sleep 60");
        assertThat(d.get("list").toString()).contains("\"" + id + "\"", "\"" + d.at("/quickStatus/id").asText() + "\"");
        assertThat(d.at("/status/status").asText()).isEqualTo("running");
        assertThat(d.at("/stdout/stdout").asText()).isEqualTo("out 1\n");
        assertThat(d.at("/stderr/stderr").asText()).isEqualTo("err\n");
        assertThat(d.at("/stderr/stdout").isMissingNode()).isTrue();
        assertThat(d.at("/quickStatus/status").asText()).isEqualTo("completed");
        assertThat(d.at("/quickStatus/exit_code").asInt()).isZero();
        assertThat(d.get("killed").asText()).isEqualTo("Command " + id + " killed");
        assertThat(d.at("/after/status").asText()).isEqualTo("failed");
        assertThat(d.at("/after/exit_code").asInt()).isEqualTo(143);
        assertThat(d.get("unknown").asText()).isEqualTo("NotFoundError");
        JsonNode snap = r.at("/snapshots/value");
        assertThat(snap.isMissingNode()).as(r.get("snapshots").toString()).isFalse();
        assertThat(snap.at("/taken/name").asText()).isEqualTo("sdk-snap");
        assertThat(snap.at("/taken/sandbox").asText()).isEqualTo("sdk-snapsrc");
        assertThat(snap.at("/taken/memory_mb").asInt()).isEqualTo(256);
        // 409s, which the SDK has no class for
        assertThat(snap.get("takenTwice").asText()).startsWith("ServerError").contains("already exists");
        assertThat(snap.get("list").toString()).isEqualTo("[\"sdk-snap\"]");
        assertThat(snap.at("/got/created_at").asText()).isNotEmpty();
        assertThat(snap.get("unknown").asText()).startsWith("NotFoundError").contains("no snapshot named");
        assertThat(snap.get("nameTaken").asText()).startsWith("ServerError").contains("already exists");
        assertThat(snap.at("/restored/name").asText()).isEqualTo("sdk-snapsrc");
        assertThat(snap.at("/restored/status").asText()).isEqualTo("running");
        assertThat(snap.at("/mark/output").asText()).isEqualTo("saved\n");
        assertThat(snap.get("inUse").asText()).startsWith("ServerError").contains("sdk-snapsrc");
        assertThat(snap.get("after").asInt()).isZero();
        assertError(r, "orchestrations", "ServerError", "does not offer");
        assertError(r, "wrongKey", "AuthError", "Invalid API key");
        assertError(r, "missingKey", "AuthError", "Missing Authorization header");
        assertThat(r.at("/healthNoKey/value").asText()).isEqualTo("ok");
        JsonNode session = r.at("/session/value");
        assertThat(session.get("output").asText()).isEqualTo("in session\n");
        assertThat(session.at("/written/written").asInt()).isEqualTo(1);
        assertThat(session.get("status").asText()).isEqualTo("running");
        assertThat(session.get("after").asText()).isEqualTo("NotFoundError");
        assertThat(r.at("/remove/error").isMissingNode()).as(r.get("remove").toString()).isTrue();
        assertError(r, "getRemoved", "NotFoundError", "sdk-a");
        assertThat(server.log()).contains("POST /sandboxes 201").contains("GET /sandboxes/no-such-sandbox 404")
                .contains("GET /sandboxes 401");
    }

    @Test
    @Order(2)
    void theNodeSdkRunsOneShotCommandsStreamsAndBatches() throws Exception {
        JsonNode r = sdk("sdk-runs.mjs");
        assertThat(r.at("/run/value/output").asText()).isEqualTo("one-shot\nLinux\n");
        assertError(r, "runFails", "ServerError", "Command exited with code 4: nope\n");
        List<JsonNode> events = new ArrayList<>();
        r.at("/stream/value").forEach(events::add);
        assertThat(events).as(r.toString()).isNotEmpty();
        assertThat(events.get(0).get("type").asText()).isEqualTo("started");
        assertThat(events.get(0).at("/data/sandbox").asText()).startsWith("api-stream-");
        assertThat(events).anyMatch(e -> e.get("type").asText().equals("progress"));
        assertThat(events).anyMatch(e -> e.get("type").asText().equals("output")
                && e.at("/data/data").asText().equals("first\n") && e.at("/data/stream").asText().equals("stdout"));
        assertThat(events).anyMatch(e -> e.get("type").asText().equals("output")
                && e.at("/data/data").asText().equals("second\n") && e.at("/data/stream").asText().equals("stderr"));
        JsonNode done = events.get(events.size() - 1);
        assertThat(done.get("type").asText()).isEqualTo("done");
        assertThat(done.at("/data/exit_code").asInt()).isZero();
        assertThat(done.at("/data/success").asBoolean()).isTrue();
        assertThat(events.get(0).get("at").asLong()).as("started comes before the command has run")
                .isLessThan(done.get("at").asLong() - 2500);
        JsonNode first = events.stream().filter(e -> e.at("/data/data").asText().equals("first\n")).findFirst().orElseThrow();
        assertThat(first.get("at").asLong()).as("the first chunk arrives while the command still sleeps: " + events)
                .isLessThan(done.get("at").asLong() - 2000);
        JsonNode results = r.at("/batch/value/results");
        assertThat(results.size()).isEqualTo(2);
        assertThat(results.get(0).get("output").asText()).isEqualTo("b1\n");
        assertThat(results.get(0).get("error").isNull()).isTrue();
        assertThat(results.get(1).get("output").isNull()).isTrue();
        assertThat(results.get(1).get("error").asText()).startsWith("Command exited with code 2");
        assertThat(listNames()).noneMatch(n -> n.startsWith("api-")); // every one-shot sandbox is gone
    }

    // ---- plain HTTP: what the SDK does not show ----

    @Test
    @Order(3)
    void statusCodesAndErrorShapes() throws Exception {
        assertThat(send("GET", "/health", null, null).statusCode()).isEqualTo(200);
        HttpResponse<String> missing = send("GET", "/sandboxes", null, null);
        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(body(missing).get("success").asBoolean()).isFalse();
        assertThat(send("GET", "/sandboxes", null, "Bearer " + KEY + "x").statusCode()).isEqualTo(401);
        assertThat(send("GET", "/sandboxes", null, "Basic " + KEY).statusCode()).isEqualTo(401);
        HttpResponse<String> notFound = call("GET", "/no/such/route", null);
        assertThat(notFound.statusCode()).isEqualTo(404);
        assertThat(notFound.body()).isEqualTo("{\"success\":false,\"error\":\"Not found\"}");
        assertThat(call("POST", "/sandboxes", "{\"name\": ").statusCode()).isEqualTo(400);
        assertThat(body(call("POST", "/sandboxes", "[1]")).get("error").asText()).contains("must be an object");
        assertThat(body(call("POST", "/sandboxes", "{\"name\": 5}")).get("error").asText()).contains("'name' must be a string");
        assertThat(call("POST", "/sandboxes", "{\"name\": \"x\", \"ports\": [\"8080:80\"]}").statusCode()).isEqualTo(501);
        assertThat(call("POST", "/run", "{}").statusCode()).isEqualTo(400);
        HttpResponse<String> tooBig = call("POST", "/sandboxes", "{\"name\": \"" + "a".repeat(17 << 20) + "\"}");
        assertThat(tooBig.statusCode()).isEqualTo(413);
        assertThat(body(tooBig).get("error").asText()).contains("16 MiB");
        assertThat(call("GET", "/snapshots/no-such", null).statusCode()).isEqualTo(404);
        assertThat(call("POST", "/snapshots", "{}").statusCode()).isEqualTo(400);
        assertThat(call("GET", "/sandboxes/bad..name", null).statusCode()).isEqualTo(400);
    }

    @Test
    @Order(4)
    void execFailuresPathFormsAndConcurrentClients() throws Exception {
        HttpResponse<String> created = call("POST", "/sandboxes",
                "{\"name\": \"http-a\", \"memory_mb\": 256, \"labels\": {\"team\": \"qa\"}, \"description\": \"for tests\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(body(created).at("/data/labels/team").asText()).isEqualTo("qa");
        HttpResponse<String> failed = call("POST", "/sandboxes/http-a/exec",
                "{\"command\": [\"sh\", \"-c\", \"echo partial; exit 7\"]}");
        assertThat(failed.statusCode()).isEqualTo(409);
        JsonNode f = body(failed);
        assertThat(f.get("success").asBoolean()).isFalse();
        assertThat(f.get("exit_code").asInt()).isEqualTo(7);
        assertThat(f.get("output").asText()).isEqualTo("partial\n");
        assertThat(f.get("error").asText()).isEqualTo("Command exited with code 7: partial\n");

        assertThat(call("PUT", "/sandboxes/http-a/files/tmp/p%20q", "{\"content\": \"same file\"}").statusCode()).isEqualTo(200);
        for (String form : List.of("/sandboxes/http-a/files//tmp/p%20q", "/sandboxes/http-a/files/tmp/p%20q",
                "/sandboxes/http-a/files/%2Ftmp%2Fp%20q")) {
            HttpResponse<String> read = call("GET", form, null);
            assertThat(read.statusCode()).as(form).isEqualTo(200);
            assertThat(body(read).at("/data/content").asText()).as(form).isEqualTo("same file");
        }
        assertThat(call("GET", "/sandboxes/http-a/files/tmp/../etc/passwd", null).statusCode()).isEqualTo(400);
        assertThat(call("PUT", "/sandboxes/http-a/files/tmp/b", "{\"content\": \"!!\", \"encoding\": \"base64\"}")
                .statusCode()).isEqualTo(400);

        largeFilesGoThroughChunkedCopies();

        HttpResponse<String> patched = call("PATCH", "/sandboxes/http-a", "{\"labels\": {\"team\": \"dev\"}}");
        assertThat(body(patched).at("/data/labels/team").asText()).isEqualTo("dev");
        assertThat(body(patched).at("/data/description").asText()).isEqualTo("for tests");

        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<HttpResponse<String>>> execs = new ArrayList<>();
            List<Future<HttpResponse<String>>> lists = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String body = "{\"command\": [\"echo\", \"client-" + i + "\"]}";
                execs.add(pool.submit(() -> call("POST", "/sandboxes/http-a/exec", body)));
                lists.add(pool.submit(() -> call("GET", "/sandboxes", null)));
            }
            for (int i = 0; i < 8; i++) {
                HttpResponse<String> r = execs.get(i).get(120, TimeUnit.SECONDS);
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                assertThat(body(r).at("/data/output").asText()).isEqualTo("client-" + i + "\n");
                assertThat(lists.get(i).get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @Order(5)
    void sandboxesOfTheCliAndOfTheApiAreTheSame() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.commandLine(AgentkernelHome.at(home)).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute("create", "cli-made", "--image", image, "--accel", "tcg", "--memory", "256");
        assertThat(code).as(err.toString()).isZero();
        HttpResponse<String> got = call("GET", "/sandboxes/cli-made", null);
        assertThat(got.statusCode()).isEqualTo(200);
        assertThat(body(got).at("/data/status").asText()).isEqualTo("running");
        HttpResponse<String> exec = call("POST", "/sandboxes/cli-made/exec", "{\"command\": [\"cat\", \"/etc/greeting\"]}");
        assertThat(body(exec).at("/data/output").asText()).isEqualTo("hello\n");

        StringWriter listed = new StringWriter();
        Main.commandLine(AgentkernelHome.at(home)).setOut(new PrintWriter(listed)).execute("list", "--json");
        assertThat(JSON.readTree(listed.toString()).findValuesAsText("name")).contains("http-a", "cli-made");
        assertThat(call("DELETE", "/sandboxes/cli-made", null).statusCode()).isEqualTo(200);
        assertThat(new SandboxService(AgentkernelHome.at(home), System.getenv()).store().exists(SandboxName.of("cli-made")))
                .isFalse();
    }

    @Test
    @Order(6)
    void aRestartedServerFindsTheRunningSandboxesAgain() throws Exception {
        long oldPid = server.pid();
        server.close();
        assertThat(ProcessHandle.of(oldPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        SandboxService service = new SandboxService(AgentkernelHome.at(home), System.getenv());
        assertThat(service.inspect(SandboxName.of("http-a")).status()).isEqualTo(SandboxStatus.RUNNING);
        server = startServer("serve-2.log");
        HttpResponse<String> list = call("GET", "/sandboxes", null);
        JsonNode a = null;
        for (JsonNode s : body(list).get("data")) {
            if (s.get("name").asText().equals("http-a")) {
                a = s;
            }
        }
        assertThat(a).as(list.body()).isNotNull();
        assertThat(a.get("status").asText()).isEqualTo("running");
        HttpResponse<String> exec = call("POST", "/sandboxes/http-a/exec", "{\"command\": [\"cat\", \"/tmp/p q\"]}");
        assertThat(body(exec).at("/data/output").asText()).isEqualTo("same file");
    }

    @Test
    @Order(7)
    void aStreamWhoseClientGoesAwayStopsItsCommand() throws Exception {
        byte[] body = "{\"command\": [\"sleep\", \"120\"]}".getBytes(StandardCharsets.UTF_8);
        String sandbox;
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(120_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /run/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + KEY
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            assertThat(in.readLine()).isEqualTo("HTTP/1.1 200 OK");
            String line;
            sandbox = null;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("data: {\"sandbox\"")) {
                    sandbox = JSON.readTree(line.substring(6)).get("sandbox").asText();
                }
                if (line.contains("\"stage\":\"executing\"")) {
                    break; // the command runs: go away
                }
            }
            assertThat(sandbox).isNotNull();
        }
        Instant deadline = Instant.now().plusSeconds(60);
        while (listNames().contains(sandbox) && Instant.now().isBefore(deadline)) {
            Thread.sleep(200);
        }
        assertThat(listNames()).doesNotContain(sandbox);
        assertThat(server.log()).contains("client of stream " + sandbox + " went away");
    }

    @Test
    @Order(8)
    void withoutAKeyOnlyLoopbackMayBeBound() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(ServeProcess.javaCommand("serve", "-H", "0.0.0.0", "-p", "0"));
        pb.environment().put("AGENTKERNEL_HOME", home.toString());
        pb.environment().remove("AGENTKERNEL_API_KEY");
        Path log = work.resolve("refused.log");
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        Process p = pb.start();
        try {
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isEqualTo(2);
            assertThat(Files.readString(log)).contains("refusing to listen on 0.0.0.0 without an API key");
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    @Order(9)
    void requestsRacingACreateWaitAndOnesLosingToARemovalGet409() throws Exception {
        SandboxService service = new SandboxService(AgentkernelHome.at(home), System.getenv());
        SandboxName name = SandboxName.of("race-b");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<HttpResponse<String>> create = pool.submit(() -> call("POST", "/sandboxes", "{\"name\": \"race-b\", \"memory_mb\": 256}"));
            Instant deadline = Instant.now().plusSeconds(120);
            while (!service.store().exists(name) && Instant.now().isBefore(deadline)) {
                Thread.sleep(20);
            }
            boolean bootingWhenAsked = service.inspect(name).status() != SandboxStatus.RUNNING;
            HttpResponse<String> exec = call("POST", "/sandboxes/race-b/exec", "{\"command\": [\"echo\", \"ready\"]}");
            assertThat(exec.statusCode()).as(exec.body()).isEqualTo(200);
            assertThat(body(exec).at("/data/output").asText()).isEqualTo("ready\n");
            assertThat(create.get(120, TimeUnit.SECONDS).statusCode()).isEqualTo(201);
            System.out.println("exec sent while race-b was still booting: " + bootingWhenAsked);

            Future<HttpResponse<String>> longExec = pool.submit(() -> call("POST", "/sandboxes/race-b/exec",
                    "{\"command\": [\"sleep\", \"60\"]}"));
            Thread.sleep(1500);
            assertThat(call("DELETE", "/sandboxes/race-b", null).statusCode()).isEqualTo(200);
            HttpResponse<String> ended = longExec.get(60, TimeUnit.SECONDS);
            assertThat(ended.statusCode()).as(ended.body()).isEqualTo(409);
            assertThat(body(ended).get("error").asText()).contains("was removed while the command ran");
            assertThat(call("POST", "/sandboxes/race-b/exec", "{\"command\": [\"true\"]}").statusCode()).isEqualTo(404);
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- helpers ----

    private JsonNode sdk(String script) throws IOException {
        NodeClients.Run run = node.run(work, script, Map.of("AK_BASE", server.base(), "AK_KEY", KEY, "AK_IMAGE", image),
                Duration.ofMinutes(6));
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        return JSON.readTree(run.stdout());
    }

    private static void assertError(JsonNode results, String step, String name, String messagePart) {
        JsonNode e = results.at("/" + step + "/error");
        assertThat(e.isMissingNode()).as(step + ": " + results.get(step)).isFalse();
        assertThat(e.get("name").asText()).as(step + ": " + e).isEqualTo(name);
        assertThat(e.get("message").asText()).as(step).contains(messagePart);
    }

    private List<String> listNames() throws Exception {
        return body(call("GET", "/sandboxes", null)).get("data").findValuesAsText("name");
    }

    /** Files near the 16 MiB body limit both ways (chunked agent copies, no 16 MiB frame); larger reads refused. */
    private void largeFilesGoThroughChunkedCopies() throws Exception {
        String text = "0123456789abcdef".repeat(15 << 16); // 15 MiB of UTF-8
        long start = System.nanoTime();
        HttpResponse<String> put = call("PUT", "/sandboxes/http-a/files/tmp/large.txt",
                JSON.writeValueAsString(java.util.Map.of("content", text)));
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
        HttpResponse<String> got = call("GET", "/sandboxes/http-a/files/tmp/large.txt", null);
        assertThat(got.statusCode()).isEqualTo(200);
        JsonNode g = body(got);
        assertThat(g.at("/data/size").asLong()).isEqualTo(text.length());
        assertThat(g.at("/data/encoding").asText()).isEqualTo("utf8");
        assertThat(g.at("/data/content").asText()).isEqualTo(text);
        System.out.printf("API: 15 MiB file written and read back in %d ms%n", (System.nanoTime() - start) / 1_000_000);

        byte[] binary = new byte[11 << 20];
        new java.util.Random(3).nextBytes(binary);
        String encoded = java.util.Base64.getEncoder().encodeToString(binary);
        assertThat(call("PUT", "/sandboxes/http-a/files/tmp/new/dir/large.bin",
                "{\"content\": \"" + encoded + "\", \"encoding\": \"base64\"}").statusCode()).isEqualTo(200);
        JsonNode b = body(call("GET", "/sandboxes/http-a/files/tmp/new/dir/large.bin", null));
        assertThat(b.at("/data/encoding").asText()).isEqualTo("base64");
        assertThat(java.util.Base64.getDecoder().decode(b.at("/data/content").asText())).isEqualTo(binary);

        HttpResponse<String> made = call("POST", "/sandboxes/http-a/exec",
                "{\"command\": [\"sh\", \"-c\", \"dd if=/dev/zero of=/tmp/huge bs=1M count=20 2>/dev/null\"]}");
        assertThat(made.statusCode()).as(made.body()).isEqualTo(200);
        HttpResponse<String> huge = call("GET", "/sandboxes/http-a/files/tmp/huge", null);
        assertThat(huge.statusCode()).isEqualTo(413);
        assertThat(body(huge).get("error").asText()).contains("20971520 bytes").contains("agentkernel cp");
        assertThat(call("GET", "/sandboxes/http-a/files/tmp", null).statusCode()).isEqualTo(404);
        assertThat(call("GET", "/sandboxes/http-a/files/tmp/none", null).statusCode()).isEqualTo(404);
    }

    private HttpResponse<String> call(String method, String path, String json) throws Exception {
        return send(method, path, json, "Bearer " + KEY);
    }

    private HttpResponse<String> send(String method, String path, String json, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.base() + path)).timeout(Duration.ofMinutes(4))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            b.header("Content-Type", "application/json");
        }
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode body(HttpResponse<String> r) throws IOException {
        return JSON.readTree(r.body());
    }
}
