package dev.agentkernel.registry;

import dev.agentkernel.testing.ExternalCommand;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code pull} against the real registry behind token authentication, with a token service of the test's
 * ({@link TokenService}): a password is exchanged by GET with basic authorization, an identity token (from a
 * credential helper or config.json's {@code identitytoken}, as {@code docker login} leaves for token registries)
 * by the OAuth2 refresh-token grant, and the registry checks every token's signature and grants.
 */
@Tag("integration")
class RegistryTokenAuthIT {
    private static final String USER = "bob";
    private static final String PASSWORD = "pw-for-bob";
    private static final String IDENTITY_TOKEN = "refresh-7f3a9c-identity-token";

    @TempDir
    static Path work;
    static TokenService tokens;
    static PrivateImage image;
    static LocalRegistry registry;
    static String reference;

    @TempDir
    Path home;
    @TempDir
    Path dockerConfig;
    private AgentkernelJvm agentkernel;

    @BeforeAll
    static void fillRegistry() throws IOException {
        tokens = TokenService.start(work, USER, PASSWORD, IDENTITY_TOKEN);
        image = PrivateImage.push(work, dir -> LocalRegistry.start(dir, tokens), "team/tool", "tokens", USER, PASSWORD);
        registry = image.registry();
        reference = image.reference();
    }

    @AfterAll
    static void stop() {
        if (image != null) {
            image.close();
        }
        if (tokens != null) {
            tokens.close();
        }
    }

    @BeforeEach
    void setUp() {
        agentkernel = new AgentkernelJvm(home, dockerConfig);
        tokens.seen.clear();
    }

    @Test
    void aPasswordIsExchangedForATokenByGet() throws IOException {
        ExternalCommand.Result pull = agentkernel.run("pull", reference, "--creds", USER + ":" + PASSWORD);
        assertThat(pull.exitCode()).as(pull.stderr()).isZero();
        assertThat(pull.stdout()).contains("pulled " + reference);
        assertThat(tokens.seen).isNotEmpty().allSatisfy(s -> {
            assertThat(s.method()).isEqualTo("GET");
            assertThat(s.basicAuthorization()).isTrue();
        });
    }

    @Test
    void anIdentityTokenFromACredentialHelperIsExchangedByTheRefreshTokenGrant(@TempDir Path secrets) throws IOException {
        try (PassStore pass = PassStore.create(secrets)) {
            pass.store(registry.address(), "<token>", IDENTITY_TOKEN); // how helpers keep an identity token
            agentkernel.extraEnv.putAll(pass.environment());
            Files.writeString(dockerConfig.resolve("config.json"), "{\"credsStore\":\"pass\"}");
            ExternalCommand.Result pull = agentkernel.run("pull", reference);
            assertThat(pull.exitCode()).as(pull.stderr()).isZero();
            assertThat(pull.stdout()).contains("pulled " + reference);
            assertThat(pull.stdout() + pull.stderr()).doesNotContain(IDENTITY_TOKEN);
        }
        assertThat(tokens.seen).isNotEmpty().allSatisfy(s -> {
            assertThat(s.method()).isEqualTo("POST");
            assertThat(s.grantType()).isEqualTo("refresh_token");
            assertThat(s.refreshTokenSent()).isEqualTo(IDENTITY_TOKEN);
            assertThat(s.basicAuthorization()).as("the token is not a password").isFalse();
        });
    }

    @Test
    void anIdentityTokenInConfigJsonWinsOverItsPlaceholderAuth() throws IOException {
        // what `docker login` writes for a token registry: a placeholder user with no password, and the token
        String placeholder = Base64.getEncoder().encodeToString(
                "00000000-0000-0000-0000-000000000000:".getBytes(StandardCharsets.UTF_8));
        Files.writeString(dockerConfig.resolve("config.json"), "{\"auths\":{\"" + registry.address()
                + "\":{\"auth\":\"" + placeholder + "\",\"identitytoken\":\"" + IDENTITY_TOKEN + "\"}}}");
        ExternalCommand.Result pull = agentkernel.run("pull", "-q", reference);
        assertThat(pull.exitCode()).as(pull.stderr()).isZero();
        assertThat(tokens.seen).isNotEmpty().allSatisfy(s -> assertThat(s.grantType()).isEqualTo("refresh_token"));
    }

    @Test
    void aRefusedIdentityTokenIsAClearErrorThatNeverShowsIt() throws IOException {
        Files.writeString(dockerConfig.resolve("config.json"), "{\"auths\":{\"" + registry.address()
                + "\":{\"identitytoken\":\"expired-token-123\"}}}");
        ExternalCommand.Result pull = agentkernel.run("pull", reference);
        assertThat(pull.exitCode()).isEqualTo(1);
        assertThat(pull.stderr()).contains("registry " + registry.address() + " refused the identity token from "
                        + dockerConfig.resolve("config.json"))
                .contains("invalid_grant: unknown refresh token")
                .doesNotContain("expired-token-123");
        assertThat(pull.stderr().lines().filter(l -> !l.isBlank()).count()).as(pull.stderr()).isEqualTo(1);
    }
}
