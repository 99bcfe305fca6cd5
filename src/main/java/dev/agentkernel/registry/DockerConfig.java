package dev.agentkernel.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.errors.UserInputException;
import dev.agentkernel.image.json.ImageJson;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Registry credentials from Docker's client configuration, {@code $DOCKER_CONFIG/config.json} or
 * {@code ~/.docker/config.json}, looked up as the docker CLI does: the registry's credential helper in
 * {@code credHelpers}, else the {@code credsStore} helper for all registries (both run as
 * {@code docker-credential-NAME get}), else the {@code auths} map of registry to base64 {@code user:password}
 * ({@code auth}) or {@code username}/{@code password}, or an {@code identitytoken} (which wins over a password, as
 * the docker CLI has it). An {@code auths} entry with a password also serves when
 * the helper holds nothing, or when the {@code credsStore} helper is not installed.
 */
public final class DockerConfig {
    private static final Set<String> DOCKER_HUB_KEYS = Set.of("docker.io", "index.docker.io", "registry-1.docker.io");

    private final Path file;

    private DockerConfig(Path file) {
        this.file = file;
    }

    /** The config file of this environment: {@code $DOCKER_CONFIG/config.json}, else {@code ~/.docker/config.json}. */
    public static DockerConfig fromEnvironment() {
        return fromEnvironment(System.getenv(), System.getProperty("user.home"));
    }

    static DockerConfig fromEnvironment(Map<String, String> env, String userHome) {
        String dir = env.get("DOCKER_CONFIG");
        if (dir != null && !dir.isBlank()) {
            return at(Path.of(dir, "config.json"));
        }
        return at(Path.of(userHome, ".docker", "config.json"));
    }

    public static DockerConfig at(Path configJson) {
        return new DockerConfig(configJson);
    }

    public Path file() {
        return file;
    }

    /** The credentials stored for {@code registry} (as in a reference: {@code docker.io}, {@code host:5000}). */
    public Optional<Credentials> credentialsFor(String registry) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        JsonNode config;
        try {
            config = ImageJson.mapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new UserInputException("cannot read registry credentials from " + file + ": " + e.getMessage(), e);
        }
        String wanted = normalize(registry);
        Optional<CredentialHelper> helper = helperFor(config, wanted);
        Optional<Credentials> fromHelper = helper.flatMap(h -> h.get(serverUrl(wanted)));
        if (fromHelper.isPresent()) {
            return fromHelper;
        }
        Optional<Map.Entry<String, JsonNode>> entry = entryFor(config.path("auths"), wanted);
        if (entry.isEmpty() || helper.isPresent() && !holdsSecret(entry.get().getValue())) {
            return Optional.empty(); // with a helper, an auths entry without a secret only lists the registry
        }
        return Optional.of(decode(entry.get().getKey(), entry.get().getValue()));
    }

    /**
     * The helper for the registry: its own in {@code credHelpers} (which must be installed: it names this
     * registry), else {@code credsStore} when installed. A config copied from another machine often names a
     * store that is not here ({@code desktop}, {@code osxkeychain}); its {@code auths} then still serve.
     */
    private Optional<CredentialHelper> helperFor(JsonNode config, String wanted) {
        Optional<Map.Entry<String, JsonNode>> own = entryFor(config.path("credHelpers"), wanted);
        if (own.isPresent()) {
            return Optional.of(new CredentialHelper(own.get().getValue().asText(""),
                    "credHelpers[\"" + own.get().getKey() + "\"] in " + file));
        }
        String store = config.path("credsStore").asText("");
        if (store.isEmpty()) {
            return Optional.empty();
        }
        CredentialHelper helper = new CredentialHelper(store, "credsStore in " + file);
        return helper.isInstalled() ? Optional.of(helper) : Optional.empty();
    }

    private static Optional<Map.Entry<String, JsonNode>> entryFor(JsonNode map, String wanted) {
        for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            if (normalize(entry.getKey()).equals(wanted)) {
                return Optional.of(entry);
            }
        }
        return Optional.empty();
    }

    private static boolean holdsSecret(JsonNode entry) {
        return !entry.path("auth").asText("").isEmpty() || !entry.path("username").asText("").isEmpty()
                || !entry.path("identitytoken").asText("").isEmpty();
    }

    /** The server URL the docker CLI stores a registry's credentials under: Docker Hub's v1 URL, else the host. */
    static String serverUrl(String normalizedRegistry) {
        return normalizedRegistry.equals("docker.io") ? "https://index.docker.io/v1/" : normalizedRegistry;
    }

    private Credentials decode(String key, JsonNode entry) {
        String identityToken = entry.path("identitytoken").asText("");
        if (!identityToken.isEmpty()) { // docker login to a token registry keeps the refresh token here
            return Credentials.ofIdentityToken(entry.path("username").asText(""), identityToken, file.toString());
        }
        String auth = entry.path("auth").asText("");
        if (!auth.isEmpty()) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(auth.trim()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new UserInputException("the 'auth' of " + key + " in " + file + " is not base64");
            }
            int colon = decoded.indexOf(':');
            if (colon <= 0) {
                throw new UserInputException("the 'auth' of " + key + " in " + file + " is not base64 of user:password");
            }
            return new Credentials(decoded.substring(0, colon), decoded.substring(colon + 1), file.toString());
        }
        String user = entry.path("username").asText("");
        String password = entry.path("password").asText("");
        if (user.isEmpty()) {
            throw new UserInputException("the entry for " + key + " in " + file + " has neither 'auth' nor 'username'");
        }
        return new Credentials(user, password, file.toString());
    }

    /** {@code https://index.docker.io/v1/} and {@code docker.io} name the same registry; so do schemes and paths. */
    static String normalize(String key) {
        String k = key.trim().toLowerCase(Locale.ROOT);
        int scheme = k.indexOf("://");
        if (scheme >= 0) {
            k = k.substring(scheme + 3);
        }
        int slash = k.indexOf('/');
        if (slash >= 0) {
            k = k.substring(0, slash);
        }
        return DOCKER_HUB_KEYS.contains(k) ? "docker.io" : k;
    }
}
