package dev.agentkernel.registry;

import com.sun.net.httpserver.HttpExchange;
import dev.agentkernel.image.Digest;
import dev.agentkernel.image.ImageReference;
import dev.agentkernel.store.AgentkernelHome;
import dev.agentkernel.store.BlobStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The registry client against an in-process HTTP server with canned answers: auth, retries, resume, redirects. */
class RegistryClientTest {
    private static final RetryPolicy FAST = new RetryPolicy(4, Duration.ofMillis(5), Duration.ofMillis(20));
    private static final String MANIFEST = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"}";

    @TempDir
    Path home;
    @TempDir
    Path dockerConfigDir;

    private RegistryOptions options() {
        return RegistryOptions.defaults().withRetry(FAST)
                .withDockerConfig(DockerConfig.at(dockerConfigDir.resolve("config.json")));
    }

    private static ImageReference ref(TestHttpServer server, String repoAndTag) {
        return ImageReference.parse(server.registry() + "/" + repoAndTag);
    }

    private static byte[] content(int size) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (i * 131 + (i >> 9));
        }
        return b;
    }

    private static void sendManifest(HttpExchange ex) throws IOException {
        TestHttpServer.send(ex, 200, "application/vnd.oci.image.manifest.v1+json",
                MANIFEST.getBytes(StandardCharsets.UTF_8));
    }

    /** A bearer-token registry: /token wants alice:secret (if {@code password} is set) and issues "tok-N". */
    private static TestHttpServer tokenRegistry(String password, int expiresIn) throws IOException {
        AtomicInteger issued = new AtomicInteger();
        int[] port = new int[1];
        TestHttpServer server = new TestHttpServer(ex -> {
            String path = ex.getRequestURI().getPath();
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            if (path.equals("/token")) {
                String wanted = "Basic " + Base64.getEncoder().encodeToString(("alice:" + password)
                        .getBytes(StandardCharsets.UTF_8));
                if (password != null && !wanted.equals(auth)) {
                    TestHttpServer.send(ex, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"bad password\"}]}");
                    return;
                }
                TestHttpServer.send(ex, 200, "{\"token\":\"tok-" + issued.incrementAndGet() + "\",\"expires_in\":"
                        + expiresIn + "}");
                return;
            }
            if (auth == null || !auth.equals("Bearer tok-" + issued.get())) {
                ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"http://127.0.0.1:" + port[0]
                        + "/token\",service=\"test-registry\",scope=\"repository:team/app:pull\"");
                TestHttpServer.send(ex, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}");
                return;
            }
            sendManifest(ex);
        });
        port[0] = server.port();
        return server;
    }

    @Test
    void asksManifestsWithAllFourMediaTypesAndDigestsThem() throws IOException {
        try (TestHttpServer server = new TestHttpServer(RegistryClientTest::sendManifest)) {
            RegistryClient client = RegistryClient.forRegistryOf(ref(server, "a/b:1"), options());
            ManifestResponse m = client.manifest(ref(server, "a/b:1"));
            assertThat(m.digest()).isEqualTo(Digest.sha256(MANIFEST.getBytes(StandardCharsets.UTF_8)));
            assertThat(m.mediaType()).isEqualTo("application/vnd.oci.image.manifest.v1+json");
            assertThat(server.requests.get(0).path()).isEqualTo("/v2/a/b/manifests/1");
            assertThat(server.requests.get(0).accept()).contains(
                    "application/vnd.oci.image.index.v1+json", "application/vnd.oci.image.manifest.v1+json",
                    "application/vnd.docker.distribution.manifest.list.v2+json",
                    "application/vnd.docker.distribution.manifest.v2+json");
        }
    }

    @Test
    void aManifestFetchedByDigestMustHaveThatDigest() throws IOException {
        try (TestHttpServer server = new TestHttpServer(RegistryClientTest::sendManifest)) {
            Digest other = Digest.sha256("something else".getBytes(StandardCharsets.UTF_8));
            ImageReference ref = ref(server, "a/b@" + other);
            RegistryClient client = RegistryClient.forRegistryOf(ref, options());
            assertThatThrownBy(() -> client.manifest(ref)).isInstanceOf(RegistryException.class)
                    .hasMessageContaining("sent a manifest for " + other).hasMessageContaining("refusing");
            Digest right = Digest.sha256(MANIFEST.getBytes(StandardCharsets.UTF_8));
            assertThat(client.manifest(ref(server, "a/b@" + right)).digest()).isEqualTo(right);
        }
    }

    @Test
    void anonymousBearerTokenIsFetchedOnceAndReused() throws IOException {
        try (TestHttpServer server = tokenRegistry(null, 300)) {
            ImageReference ref = ref(server, "team/app:1");
            RegistryClient client = RegistryClient.forRegistryOf(ref, options());
            client.manifest(ref);
            client.manifest(ref);
            client.manifest(ref);
            assertThat(client.tokenRequests()).isEqualTo(1);
            TestHttpServer.Request tokenRequest = server.requestsTo("/token").get(0);
            assertThat(tokenRequest.query()).contains("service=test-registry").contains("scope=repository:team/app:pull");
            assertThat(tokenRequest.authorization()).isNull();
            assertThat(server.requestsTo("/v2/").stream().filter(r -> r.authorization() != null)).hasSize(3);
        }
    }

    @Test
    void anExpiredTokenIsRenewed() throws IOException {
        try (TestHttpServer server = tokenRegistry(null, 60)) {
            MutableClock clock = new MutableClock();
            ImageReference ref = ref(server, "team/app:1");
            RegistryClient client = RegistryClient.forRegistryOf(ref, options().withClock(clock));
            client.manifest(ref);
            clock.advance(Duration.ofSeconds(30));
            client.manifest(ref);
            assertThat(client.tokenRequests()).isEqualTo(1);
            clock.advance(Duration.ofSeconds(31));
            client.manifest(ref);
            assertThat(client.tokenRequests()).isEqualTo(2);
        }
    }

    @Test
    void credentialedTokensSendTheCredentialsToTheTokenServiceOnly() throws IOException {
        try (TestHttpServer server = tokenRegistry("secret", 300)) {
            ImageReference ref = ref(server, "team/app:1");
            RegistryClient client = RegistryClient.forRegistryOf(ref,
                    options().withCredentials(Optional.of(Credentials.parse("alice:secret", "--creds"))));
            assertThat(client.manifest(ref).body()).isEqualTo(MANIFEST.getBytes(StandardCharsets.UTF_8));
            assertThat(server.requestsTo("/token").get(0).authorization()).startsWith("Basic ");
            assertThat(server.requestsTo("/v2/")).allSatisfy(r ->
                    assertThat(r.authorization() == null || r.authorization().startsWith("Bearer ")).isTrue());
        }
    }

    @Test
    void credentialsComeFromDockerConfigWhenNotGiven() throws IOException {
        try (TestHttpServer server = tokenRegistry("secret", 300)) {
            java.nio.file.Files.writeString(dockerConfigDir.resolve("config.json"), "{\"auths\":{\"http://"
                    + server.registry() + "\":{\"auth\":\"" + Base64.getEncoder().encodeToString(
                    "alice:secret".getBytes(StandardCharsets.UTF_8)) + "\"}}}");
            ImageReference ref = ref(server, "team/app:1");
            assertThat(RegistryClient.forRegistryOf(ref, options()).manifest(ref).body()).isNotEmpty();
        }
    }

    @Test
    void wrongCredentialsAreAClear401WithoutThePassword() throws IOException {
        try (TestHttpServer server = tokenRegistry("secret", 300)) {
            ImageReference ref = ref(server, "team/app:1");
            RegistryClient client = RegistryClient.forRegistryOf(ref,
                    options().withCredentials(Optional.of(Credentials.parse("alice:wrong-pw", "--creds"))));
            assertThatThrownBy(() -> client.manifest(ref)).isInstanceOf(RegistryException.class)
                    .hasMessageContaining("refused the credentials of user 'alice' from --creds")
                    .hasMessageContaining("401 Unauthorized").hasMessageContaining("bad password")
                    .hasMessageNotContaining("wrong-pw");
        }
    }

    @Test
    void basicAuthRegistries() throws IOException {
        String good = "Basic " + Base64.getEncoder().encodeToString("bob:pw".getBytes(StandardCharsets.UTF_8));
        try (TestHttpServer server = new TestHttpServer(ex -> {
            if (!good.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                ex.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"Registry Realm\"");
                TestHttpServer.send(ex, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}");
                return;
            }
            sendManifest(ex);
        })) {
            ImageReference ref = ref(server, "x:1");
            RegistryClient ok = RegistryClient.forRegistryOf(ref,
                    options().withCredentials(Optional.of(Credentials.parse("bob:pw", "--creds"))));
            ok.manifest(ref);
            ok.manifest(ref);
            assertThat(server.requests).hasSize(3); // one challenge, then credentials sent up front
            assertThatThrownBy(() -> RegistryClient.forRegistryOf(ref, options()).manifest(ref))
                    .hasMessageContaining("requires authentication: 401 Unauthorized")
                    .hasMessageContaining("--creds");
        }
    }

    @Test
    void retries503And429ThenSucceeds() throws IOException {
        AtomicInteger calls = new AtomicInteger();
        try (TestHttpServer server = new TestHttpServer(ex -> {
            int n = calls.incrementAndGet();
            if (n == 1) {
                TestHttpServer.send(ex, 503, "{}");
            } else if (n == 2) {
                ex.getResponseHeaders().set("Retry-After", "0");
                TestHttpServer.send(ex, 429, "{}");
            } else {
                sendManifest(ex);
            }
        })) {
            ImageReference ref = ref(server, "x:1");
            RegistryClient.forRegistryOf(ref, options()).manifest(ref);
            assertThat(calls.get()).isEqualTo(3);
        }
    }

    @Test
    void givesUpAfterTheRetriesWithTheStatus() throws IOException {
        try (TestHttpServer server = new TestHttpServer(ex -> TestHttpServer.send(ex, 502, "bad gateway"))) {
            ImageReference ref = ref(server, "x:1");
            assertThatThrownBy(() -> RegistryClient.forRegistryOf(ref, options()).manifest(ref))
                    .hasMessageContaining("answered HTTP 502").hasMessageContaining("after 4 attempts");
            assertThat(server.requests).hasSize(4);
        }
    }

    @Test
    void missingManifestIsA404Message() throws IOException {
        try (TestHttpServer server = new TestHttpServer(ex -> TestHttpServer.send(ex, 404,
                "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\"}]}"))) {
            ImageReference ref = ref(server, "x:nope");
            assertThatThrownBy(() -> RegistryClient.forRegistryOf(ref, options()).manifest(ref))
                    .hasMessageContaining("has no manifest x:nope (MANIFEST_UNKNOWN: manifest unknown)");
        }
    }

    @Test
    void anInterruptedBlobIsResumedWithRange() throws IOException {
        byte[] blob = content(200_000);
        Digest digest = Digest.sha256(blob);
        AtomicInteger calls = new AtomicInteger();
        try (TestHttpServer server = new TestHttpServer(ex -> {
            String range = ex.getRequestHeaders().getFirst("Range");
            if (calls.incrementAndGet() == 1) {
                cutBody(ex, blob, 70_000);
                return;
            }
            int from = Integer.parseInt(range.substring("bytes=".length(), range.length() - 1));
            ex.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + (blob.length - 1) + "/" + blob.length);
            byte[] rest = java.util.Arrays.copyOfRange(blob, from, blob.length);
            TestHttpServer.send(ex, 206, "application/octet-stream", rest);
        })) {
            ImageReference ref = ref(server, "x:1");
            BlobStore store = BlobStore.of(AgentkernelHome.at(home));
            try (BlobStore.PendingBlob pending = store.begin(digest, blob.length)) {
                RegistryClient.forRegistryOf(ref, options()).blob(ref, digest, blob.length, pending, n -> { });
            }
            assertThat(store.read(digest)).isEqualTo(blob);
            assertThat(server.requests).hasSize(2);
            // The client holds what arrived before the cut: up to the 70,000 bytes the server sent.
            String range = server.requests.get(1).range();
            assertThat(range).matches("bytes=[1-9][0-9]*-");
            assertThat(Long.parseLong(range.substring(6, range.length() - 1))).isLessThanOrEqualTo(70_000);
        }
    }

    @Test
    void aStalledBodyIsCutAndResumed() throws IOException {
        byte[] blob = content(100_000);
        Digest digest = Digest.sha256(blob);
        AtomicInteger calls = new AtomicInteger();
        try (TestHttpServer server = new TestHttpServer(ex -> {
            if (calls.incrementAndGet() == 1) {
                cutBody(ex, blob, 30_000);
                try {
                    Thread.sleep(20_000); // stall with the connection open
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return;
            }
            String range = ex.getRequestHeaders().getFirst("Range");
            int from = Integer.parseInt(range.substring("bytes=".length(), range.length() - 1));
            ex.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + (blob.length - 1) + "/" + blob.length);
            TestHttpServer.send(ex, 206, "application/octet-stream", java.util.Arrays.copyOfRange(blob, from, blob.length));
        })) {
            ImageReference ref = ref(server, "x:1");
            BlobStore store = BlobStore.of(AgentkernelHome.at(home));
            long start = System.nanoTime();
            try (BlobStore.PendingBlob pending = store.begin(digest, blob.length)) {
                RegistryClient.forRegistryOf(ref, options().withStallTimeout(Duration.ofMillis(300)))
                        .blob(ref, digest, blob.length, pending, n -> { });
            }
            assertThat(store.read(digest)).isEqualTo(blob);
            assertThat(server.requests).hasSize(2);
            assertThat(server.requests.get(1).range()).matches("bytes=[1-9][0-9]*-");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        }
    }

    @Test
    void aRegistryIgnoringRangeStillEndsWithTheRightBlob() throws IOException {
        byte[] blob = content(150_000);
        Digest digest = Digest.sha256(blob);
        AtomicInteger calls = new AtomicInteger();
        try (TestHttpServer server = new TestHttpServer(ex -> {
            if (calls.incrementAndGet() == 1) {
                cutBody(ex, blob, 40_000);
                return;
            }
            TestHttpServer.send(ex, 200, "application/octet-stream", blob);
        })) {
            ImageReference ref = ref(server, "x:1");
            BlobStore store = BlobStore.of(AgentkernelHome.at(home));
            try (BlobStore.PendingBlob pending = store.begin(digest, blob.length)) {
                RegistryClient.forRegistryOf(ref, options()).blob(ref, digest, blob.length, pending, n -> { });
            }
            assertThat(store.read(digest)).isEqualTo(blob);
        }
    }

    @Test
    void aCorruptBlobIsRefusedAndNotKept() throws IOException {
        byte[] blob = content(10_000);
        Digest digest = Digest.sha256(blob);
        byte[] tampered = blob.clone();
        tampered[5000] ^= 1;
        try (TestHttpServer server = new TestHttpServer(ex ->
                TestHttpServer.send(ex, 200, "application/octet-stream", tampered))) {
            ImageReference ref = ref(server, "x:1");
            BlobStore store = BlobStore.of(AgentkernelHome.at(home));
            try (BlobStore.PendingBlob pending = store.begin(digest, blob.length)) {
                assertThatThrownBy(() -> RegistryClient.forRegistryOf(ref, options())
                        .blob(ref, digest, blob.length, pending, n -> { }))
                        .isInstanceOf(RegistryException.class).hasMessageContaining("corrupt blob")
                        .hasMessageContaining(digest.toString());
            }
            assertThat(store.contains(digest)).isFalse();
            try (BlobStore.PendingBlob again = store.begin(digest, blob.length)) {
                assertThat(again.resumeFrom()).isZero();
            }
        }
    }

    @Test
    void blobRedirectsAreFollowedWithoutTheRegistryCredentials() throws IOException {
        byte[] blob = content(5_000);
        Digest digest = Digest.sha256(blob);
        try (TestHttpServer storage = new TestHttpServer(ex ->
                TestHttpServer.send(ex, 200, "application/octet-stream", blob))) {
            try (TestHttpServer server = new TestHttpServer(ex -> {
                if (ex.getRequestHeaders().getFirst("Authorization") == null) {
                    ex.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"r\"");
                    TestHttpServer.send(ex, 401, "{}");
                    return;
                }
                ex.getResponseHeaders().set("Location", "http://127.0.0.1:" + storage.port() + "/signed/blob?sig=1");
                TestHttpServer.send(ex, 307, "{}");
            })) {
                ImageReference ref = ref(server, "x:1");
                BlobStore store = BlobStore.of(AgentkernelHome.at(home));
                try (BlobStore.PendingBlob pending = store.begin(digest, blob.length)) {
                    RegistryClient.forRegistryOf(ref, options().withCredentials(
                            Optional.of(Credentials.parse("u:p", "--creds")))).blob(ref, digest, blob.length, pending, n -> { });
                }
                assertThat(store.read(digest)).isEqualTo(blob);
                assertThat(storage.requests).singleElement().satisfies(r -> {
                    assertThat(r.path()).isEqualTo("/signed/blob");
                    assertThat(r.authorization()).isNull();
                });
            }
        }
    }

    @Test
    void connectionRefusedIsRetriedThenReported() throws IOException {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        ImageReference ref = ImageReference.parse("127.0.0.1:" + port + "/x:1");
        assertThatThrownBy(() -> RegistryClient.forRegistryOf(ref, options()).manifest(ref))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("cannot reach registry 127.0.0.1:" + port).hasMessageContaining("after 4 attempts");
    }

    @Test
    void remoteRegistriesAreHttpsUnlessInsecure() {
        ImageReference remote = ImageReference.parse("registry.invalid/x:1");
        assertThatThrownBy(() -> RegistryClient.forRegistryOf(remote, options()).manifest(remote))
                .hasMessageContaining("cannot reach registry registry.invalid (https://registry.invalid)");
        assertThatThrownBy(() -> RegistryClient.forRegistryOf(remote, options().withInsecure(true)).manifest(remote))
                .hasMessageContaining("(http://registry.invalid)");
        ImageReference hub = ImageReference.parse("busybox");
        assertThat(hub.apiHost()).isEqualTo("registry-1.docker.io");
    }

    /** Declares the whole length, sends {@code n} bytes, then drops the connection. */
    private static void cutBody(HttpExchange ex, byte[] blob, int n) throws IOException {
        ex.sendResponseHeaders(200, blob.length);
        OutputStream out = ex.getResponseBody();
        out.write(blob, 0, n);
        out.flush();
        // Closing the exchange with bytes missing makes the server drop the connection mid-body.
    }

    static final class MutableClock extends Clock {
        private Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
