package dev.agentkernel.registry;

import dev.agentkernel.testing.RequiredTools;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Docker credential store for tests: {@code docker-credential-pass} over a password store and a GnuPG
 * home of its own (a key without passphrase), so that agentkernel runs the helper exactly as the docker CLI
 * would. {@link #close} stops the gpg-agent that GnuPG starts for the home.
 */
final class PassStore implements AutoCloseable {
    private final Map<String, String> environment;

    private PassStore(Map<String, String> environment) {
        this.environment = environment;
    }

    static PassStore create(Path dir) throws IOException {
        for (String tool : List.of("docker-credential-pass", "pass", "gpg", "gpgconf")) {
            RequiredTools.require(tool);
        }
        Path gnupg = Files.createDirectory(dir.resolve("gnupg"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        PassStore store = new PassStore(Map.of("GNUPGHOME", gnupg.toString(),
                "PASSWORD_STORE_DIR", dir.resolve("password-store").toString()));
        try {
            store.run(null, "gpg", "--batch", "--passphrase", "", "--quick-gen-key",
                    "agentkernel test <test@agentkernel.invalid>", "default", "default", "never");
            store.run(null, "pass", "init", "test@agentkernel.invalid");
        } catch (IOException | RuntimeException e) {
            store.close();
            throw e;
        }
        return store;
    }

    /** Stores credentials for {@code serverUrl} the way {@code docker login} does through the helper. */
    void store(String serverUrl, String user, String secret) throws IOException {
        run("{\"ServerURL\":\"" + serverUrl + "\",\"Username\":\"" + user + "\",\"Secret\":\"" + secret + "\"}",
                "docker-credential-pass", "store");
    }

    /** What a process needs to find this store. */
    Map<String, String> environment() {
        return environment;
    }

    private void run(String input, String... command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(environment);
        if (input == null) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        Process p = pb.start();
        try {
            if (input != null) {
                try (var stdin = p.getOutputStream()) {
                    stdin.write(input.getBytes(StandardCharsets.UTF_8));
                }
            }
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } finally {
            p.destroyForcibly();
        }
    }

    @Override
    public void close() throws IOException {
        run(null, "gpgconf", "--kill", "gpg-agent");
    }
}
