package dev.agentkernel.registry;

import dev.agentkernel.errors.UserInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AuthAndConfigTest {
    @TempDir
    Path dir;

    @Test
    void parsesBearerChallenges() {
        AuthChallenge c = AuthChallenge.parse("Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
                + "scope=\"repository:library/busybox:pull\"").orElseThrow();
        assertThat(c.isBearer()).isTrue();
        assertThat(c.params()).containsExactlyInAnyOrderEntriesOf(Map.of("realm", "https://auth.docker.io/token",
                "service", "registry.docker.io", "scope", "repository:library/busybox:pull"));
    }

    @Test
    void parsesBasicAndOddlyFormattedChallenges() {
        assertThat(AuthChallenge.parse("Basic realm=\"Registry Realm\"").orElseThrow().isBasic()).isTrue();
        AuthChallenge c = AuthChallenge.parse("bearer  realm=https://a/t , service=\"s \\\"q\\\"\", scope=\"a:b:pull,push\"")
                .orElseThrow();
        assertThat(c.params()).containsEntry("realm", "https://a/t").containsEntry("service", "s \"q\"")
                .containsEntry("scope", "a:b:pull,push");
        assertThat(AuthChallenge.parse("")).isEmpty();
        assertThat(AuthChallenge.parse(null)).isEmpty();
    }

    @Test
    void credentialsNeverShowThePassword() {
        Credentials c = Credentials.parse("alice:p4ss:word", "--creds");
        assertThat(c.username()).isEqualTo("alice");
        assertThat(c.password()).isEqualTo("p4ss:word");
        assertThat(c.toString()).doesNotContain("p4ss").contains("alice");
        assertThatThrownBy(() -> Credentials.parse("nocolon", "--creds")).isInstanceOf(UserInputException.class)
                .hasMessageContaining("USER:PASSWORD");
    }

    @Test
    void anIdentityTokenInDockerConfigIsKeptAsOneAndNeverShown() throws IOException {
        Path config = dir.resolve("config.json");
        Files.writeString(config, "{\"auths\":{\"myregistry.azurecr.io\":{\"auth\":\""
                + b64("00000000-0000-0000-0000-000000000000:") + "\",\"identitytoken\":\"eyJ-refresh\"}}}");
        Credentials c = DockerConfig.at(config).credentialsFor("myregistry.azurecr.io").orElseThrow();
        assertThat(c.identityToken()).isTrue();
        assertThat(c.password()).isEqualTo("eyJ-refresh");
        assertThat(c.toString()).doesNotContain("eyJ-refresh").contains("identity token");
        assertThatThrownBy(c::basicAuthorization).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void readsDockerConfigAuths() throws IOException {
        Path config = dir.resolve("config.json");
        Files.writeString(config, "{\"auths\":{"
                + "\"https://index.docker.io/v1/\":{\"auth\":\"" + b64("hub:hubpw") + "\"},"
                + "\"localhost:5000\":{\"auth\":\"" + b64("loc:a:b") + "\"},"
                + "\"https://ghcr.io\":{\"username\":\"gh\",\"password\":\"ghpw\"}},"
                + "\"credsStore\":\"desktop\"}");
        DockerConfig dc = DockerConfig.at(config);
        assertThat(dc.credentialsFor("docker.io").orElseThrow().password()).isEqualTo("hubpw");
        Credentials local = dc.credentialsFor("localhost:5000").orElseThrow();
        assertThat(local.username()).isEqualTo("loc");
        assertThat(local.password()).isEqualTo("a:b");
        assertThat(local.origin()).isEqualTo(config.toString());
        assertThat(dc.credentialsFor("ghcr.io").orElseThrow().password()).isEqualTo("ghpw");
        assertThat(dc.credentialsFor("quay.io")).isEmpty();
        assertThat(DockerConfig.at(dir.resolve("absent.json")).credentialsFor("docker.io")).isEmpty();
    }

    @Test
    void badDockerConfigIsAClearError() throws IOException {
        Path config = dir.resolve("config.json");
        Files.writeString(config, "{\"auths\":{\"r.io\":{\"auth\":\"%%%\"}}}");
        assertThatThrownBy(() -> DockerConfig.at(config).credentialsFor("r.io")).hasMessageContaining("not base64")
                .hasMessageContaining(config.toString());
        Files.writeString(config, "{not json");
        assertThatThrownBy(() -> DockerConfig.at(config).credentialsFor("r.io"))
                .hasMessageContaining("cannot read registry credentials from " + config);
    }

    @Test
    void dockerConfigFollowsTheDockerConfigVariable() {
        assertThat(DockerConfig.fromEnvironment(Map.of("DOCKER_CONFIG", "/x/y"), "/home/u").file())
                .isEqualTo(Path.of("/x/y/config.json"));
        assertThat(DockerConfig.fromEnvironment(Map.of(), "/home/u").file())
                .isEqualTo(Path.of("/home/u/.docker/config.json"));
    }

    @Test
    void retryBackoffDoublesAndHonoursRetryAfterWithinBounds() {
        RetryPolicy p = new RetryPolicy(5, java.time.Duration.ofMillis(100), java.time.Duration.ofSeconds(1));
        assertThat(p.backoff(1).toMillis()).isEqualTo(100);
        assertThat(p.backoff(3).toMillis()).isEqualTo(400);
        assertThat(p.backoff(10).toMillis()).isEqualTo(1000);
        assertThat(p.backoff(1, "0").toMillis()).isZero();
        assertThat(p.backoff(1, "3600").toMillis()).isEqualTo(1000);
        assertThat(p.backoff(2, "Wed, 21 Oct 2015 07:28:00 GMT").toMillis()).isEqualTo(200);
    }

    @Test
    void anHttpsRegistryMayNotSendUsToAPlainHttpTokenService() {
        RegistryAuth auth = new RegistryAuth("r.example", true, java.util.Optional.of(Credentials.parse("u:p", "--creds")),
                java.net.http.HttpClient.newHttpClient(), RetryPolicy.DEFAULT, java.time.Clock.systemUTC());
        AuthChallenge challenge = AuthChallenge.parse("Bearer realm=\"http://auth.example/token\",service=\"r\"").orElseThrow();
        assertThatThrownBy(() -> auth.answer(challenge, "repository:a:pull")).isInstanceOf(RegistryException.class)
                .hasMessageContaining("plain-HTTP token service (auth.example)").hasMessageContaining("refusing");
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
