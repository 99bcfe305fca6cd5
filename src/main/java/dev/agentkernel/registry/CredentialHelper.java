package dev.agentkernel.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.errors.ToolException;
import dev.agentkernel.errors.UserInputException;
import dev.agentkernel.image.json.ImageJson;
import dev.agentkernel.process.CommandRunner;
import dev.agentkernel.process.Executables;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A Docker credential helper, the program {@code docker-credential-NAME} that {@code credsStore} and
 * {@code credHelpers} in Docker's config.json name: {@code get} reads a server URL on standard input and prints
 * {@code {"ServerURL": ..., "Username": ..., "Secret": ...}}, or fails saying the credentials are not found.
 */
final class CredentialHelper {
    private static final Duration TIMEOUT = Duration.ofSeconds(60); // a helper may ask the OS keyring, which may prompt
    /** The user name helpers give for an identity token (an OAuth2 refresh token) instead of a password. */
    private static final String IDENTITY_TOKEN_USER = "<token>";

    private final String name;
    private final String configuredIn;

    /** @param configuredIn where it is named, for messages ("credsStore in /root/.docker/config.json") */
    CredentialHelper(String name, String configuredIn) {
        if (name.isEmpty() || name.contains("/")) {
            throw new UserInputException("'" + name + "' is not a credential helper name (" + configuredIn + ")");
        }
        this.name = name;
        this.configuredIn = configuredIn;
    }

    String program() {
        return "docker-credential-" + name;
    }

    boolean isInstalled() {
        return location().isPresent();
    }

    private Optional<String> location() {
        String path = System.getenv("PATH");
        return Executables.find(path == null ? "" : path, program()).map(Object::toString);
    }

    /** What the helper holds for {@code serverUrl}; empty when it holds nothing for it. */
    Optional<Credentials> get(String serverUrl) {
        String program = location().orElseThrow(() ->
                new UserInputException(configuredIn + " names the credential helper '" + name + "', but "
                        + program() + " is not on the PATH"));
        CommandRunner.Result result;
        try {
            result = CommandRunner.runWithInput(List.of(program, "get"), TIMEOUT, serverUrl);
        } catch (ToolException e) {
            throw new RegistryException(program() + " failed: " + e.getMessage(), e);
        }
        if (!result.succeeded()) {
            if ((result.stdout() + result.stderr()).toLowerCase().contains("credentials not found")) {
                return Optional.empty();
            }
            throw new RegistryException(program() + " get " + serverUrl + " failed (exit " + result.exitCode()
                    + "): " + result.lastErrorLine());
        }
        JsonNode json;
        try {
            json = ImageJson.mapper().readTree(result.stdout());
        } catch (IOException e) {
            throw new RegistryException(program() + " get " + serverUrl + " printed no JSON: " + e.getMessage(), e);
        }
        String user = json == null ? "" : json.path("Username").asText("");
        String secret = json == null ? "" : json.path("Secret").asText("");
        if (user.isEmpty() || secret.isEmpty()) {
            return Optional.empty();
        }
        String origin = program() + " (" + configuredIn + ")";
        if (user.equals(IDENTITY_TOKEN_USER)) {
            return Optional.of(Credentials.ofIdentityToken(user, secret, origin));
        }
        return Optional.of(new Credentials(user, secret, origin));
    }
}
