package dev.agentkernel.registry;

import dev.agentkernel.testing.ExternalCommand;
import dev.agentkernel.testing.RequiredTools;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The CNCF distribution registry ({@code docker-registry}) as a process for tests: listening on 127.0.0.1 and a
 * free port, storing in a temporary folder, optionally behind htpasswd basic auth or a token service, killed by PID on
 * {@link #close()} and, as a safety net, after {@code maxRunTime}.
 */
final class LocalRegistry implements AutoCloseable {
    private static final Duration MAX_RUN_TIME = Duration.ofMinutes(8);

    private final Process process;
    private final int port;
    private final Path storage;
    private final Path log;
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "registry-watchdog");
        t.setDaemon(true);
        return t;
    });

    private LocalRegistry(Process process, int port, Path storage, Path log) {
        this.process = process;
        this.port = port;
        this.storage = storage;
        this.log = log;
        watchdog.schedule(this::kill, MAX_RUN_TIME.toSeconds(), TimeUnit.SECONDS);
    }

    /** Starts a registry in {@code dir}; with {@code user}/{@code password}, behind htpasswd basic auth. */
    static LocalRegistry start(Path dir, Optional<String[]> userAndPassword) throws IOException {
        String auth = "";
        if (userAndPassword.isPresent()) {
            RequiredTools.require("htpasswd");
            Path htpasswd = dir.resolve("htpasswd");
            String[] up = userAndPassword.get();
            String line = ExternalCommand.run(Duration.ofSeconds(30), "htpasswd", "-Bbn", up[0], up[1]).stdout().strip();
            Files.writeString(htpasswd, line + "\n");
            auth = """
                    auth:
                      htpasswd:
                        realm: agentkernel-test
                        path: %s
                    """.formatted(htpasswd);
        }
        return start(dir, auth);
    }

    /** Starts a registry in {@code dir} whose clients authenticate with {@code tokens}. */
    static LocalRegistry start(Path dir, TokenService tokens) throws IOException {
        return start(dir, tokens.registryAuthConfig());
    }

    /** Starts a registry in {@code dir} with {@code authConfig} (YAML, or "" for none). */
    private static LocalRegistry start(Path dir, String authConfig) throws IOException {
        Path binary = RequiredTools.require("docker-registry");
        Path storage = Files.createDirectories(dir.resolve("storage"));
        int port = freePort();
        StringBuilder config = new StringBuilder("""
                version: 0.1
                log:
                  level: info
                storage:
                  filesystem:
                    rootdirectory: %s
                  delete:
                    enabled: true
                http:
                  addr: 127.0.0.1:%d
                """.formatted(storage, port)).append(authConfig);
        Path configFile = dir.resolve("config.yml");
        Files.writeString(configFile, config);
        Path log = dir.resolve("registry.log");
        Process process = new ProcessBuilder(binary.toString(), "serve", configFile.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        LocalRegistry registry = new LocalRegistry(process, port, storage, log);
        try {
            registry.awaitReady();
        } catch (IOException | RuntimeException e) {
            registry.close();
            throw e;
        }
        return registry;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private void awaitReady() throws IOException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("docker-registry exited with " + process.exitValue() + ": " + Files.readString(log));
            }
            try {
                HttpResponse<Void> r = client.send(HttpRequest.newBuilder(URI.create("http://" + address() + "/v2/"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200 || r.statusCode() == 401) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
        throw new IOException("docker-registry did not answer within 20 s: " + Files.readString(log));
    }

    /** {@code 127.0.0.1:<port>}. */
    String address() {
        return "127.0.0.1:" + port;
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    /** The registry's data file of a blob, to tamper with. */
    Path blobData(dev.agentkernel.image.Digest digest) {
        return storage.resolve("docker/registry/v2/blobs/" + digest.algorithm() + "/" + digest.hex().substring(0, 2)
                + "/" + digest.hex() + "/data");
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    private void kill() {
        ProcessHandle.of(process.pid()).ifPresent(h -> {
            h.descendants().forEach(ProcessHandle::destroyForcibly);
            h.destroyForcibly();
        });
    }

    @Override
    public void close() {
        kill();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        watchdog.shutdownNow();
    }
}
