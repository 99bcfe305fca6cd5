package dev.agentkernel.registry;

import dev.agentkernel.testing.ExternalCommand;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code pull} and {@code rootfs docker://} commands, run as a separate JVM with their own data directory
 * and Docker config, against the real registry behind htpasswd basic auth.
 */
@Tag("integration")
class RegistryAuthIntegrationTest {
    private static final String USER = "alice";
    private static final String PASSWORD = "s3cret-Pw";

    @TempDir
    static Path work;
    static PrivateImage image;
    static LocalRegistry registry;
    static String reference;

    @TempDir
    Path home;
    @TempDir
    Path dockerConfig;
    private AgentkernelJvm jvm;

    @BeforeAll
    static void fillRegistry() throws IOException {
        image = PrivateImage.push(work, dir -> LocalRegistry.start(dir, Optional.of(new String[] {USER, PASSWORD})),
                "private/app", "private", USER, PASSWORD);
        registry = image.registry();
        reference = image.reference();
    }

    @AfterAll
    static void stop() {
        if (image != null) {
            image.close();
        }
    }

    /** Runs {@code agentkernel ARGS} in a new JVM with this test's data directory and Docker config. */
    private ExternalCommand.Result agentkernel(String... args) throws IOException {
        return jvm().run(args);
    }

    private ExternalCommand.Result agentkernelWithInput(String stdin, String... args) throws IOException {
        return jvm().runWithInput(stdin, args);
    }

    private AgentkernelJvm jvm() {
        if (jvm == null) {
            jvm = new AgentkernelJvm(home, dockerConfig);
        }
        return jvm;
    }

    @Test
    void rightCredentialsFromCredsWorkAndTheImageIsListed() throws IOException {
        ExternalCommand.Result pull = agentkernel("pull", reference, "--creds", USER + ":" + PASSWORD);
        assertThat(pull.exitCode()).as(pull.stderr()).isZero();
        assertThat(pull.stdout()).contains("pulled " + reference).contains("sha256:");
        assertThat(pull.stderr()).contains("layer 1").contains("verified").doesNotContain(PASSWORD);
        ExternalCommand.Result list = agentkernel("images");
        assertThat(list.exitCode()).as(list.stderr()).isZero();
        assertThat(list.stdout()).contains(reference);
    }

    @Test
    void aPasswordOnStandardInputWorksAndIsNeverShown() throws IOException {
        ExternalCommand.Result pull = agentkernelWithInput(PASSWORD + "\n", "pull", reference, "--username", USER,
                "--password-stdin");
        assertThat(pull.exitCode()).as(pull.stderr()).isZero();
        assertThat(pull.stdout()).contains("pulled " + reference).doesNotContain(PASSWORD);
        assertThat(pull.stderr()).doesNotContain(PASSWORD);

        ExternalCommand.Result wrong = agentkernelWithInput("wrong-password\n", "pull", reference, "--username", USER,
                "--password-stdin");
        assertThat(wrong.exitCode()).isEqualTo(1);
        assertThat(wrong.stderr()).contains("refused the credentials of user 'alice' from --password-stdin");
    }

    @Test
    void passwordStdinMisuseIsBadInput() throws IOException {
        ExternalCommand.Result noUser = agentkernelWithInput(PASSWORD + "\n", "pull", reference, "--password-stdin");
        assertThat(noUser.exitCode()).isEqualTo(2);
        assertThat(noUser.stderr()).contains("--password-stdin needs --username USER");

        ExternalCommand.Result both = agentkernelWithInput(PASSWORD + "\n", "pull", reference, "--creds",
                USER + ":" + PASSWORD, "--username", USER, "--password-stdin");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.stderr()).contains("either --creds or --username with --password-stdin");

        ExternalCommand.Result empty = agentkernel("pull", reference, "--username", USER, "--password-stdin");
        assertThat(empty.exitCode()).isEqualTo(2);
        assertThat(empty.stderr()).contains("standard input holds no password");

        ExternalCommand.Result userOnly = agentkernel("pull", reference, "--username", USER);
        assertThat(userOnly.exitCode()).isEqualTo(2);
        assertThat(userOnly.stderr()).contains("--username needs --password-stdin");
    }

    @Test
    void credentialsFromTheCredsStoreHelperWork(@TempDir Path secrets) throws IOException {
        try (PassStore pass = PassStore.create(secrets)) {
            pass.store(registry.address(), USER, PASSWORD);
            jvm().extraEnv.putAll(pass.environment());
            Files.writeString(dockerConfig.resolve("config.json"), "{\"credsStore\":\"pass\"}");
            ExternalCommand.Result pull = agentkernel("pull", reference);
            assertThat(pull.exitCode()).as(pull.stderr()).isZero();
            assertThat(pull.stdout()).contains("pulled " + reference);
            assertThat(pull.stdout() + pull.stderr()).doesNotContain(PASSWORD);
        }
    }

    @Test
    void theRegistrysOwnHelperComesBeforeTheCredsStore(@TempDir Path secrets) throws IOException {
        try (PassStore pass = PassStore.create(secrets)) {
            pass.store(registry.address(), USER, PASSWORD);
            jvm().extraEnv.putAll(pass.environment());
            Files.writeString(dockerConfig.resolve("config.json"), "{\"credsStore\":\"no-such-helper\","
                    + "\"credHelpers\":{\"" + registry.address() + "\":\"pass\"}}");
            ExternalCommand.Result pull = agentkernel("pull", "-q", reference);
            assertThat(pull.exitCode()).as(pull.stderr()).isZero();
        }
    }

    @Test
    void aHelperWithNothingForTheRegistryMeansAnonymous(@TempDir Path secrets) throws IOException {
        try (PassStore pass = PassStore.create(secrets)) {
            pass.store("elsewhere.example:5000", USER, PASSWORD);
            jvm().extraEnv.putAll(pass.environment());
            Files.writeString(dockerConfig.resolve("config.json"), "{\"credsStore\":\"pass\"}");
            ExternalCommand.Result pull = agentkernel("pull", reference);
            assertThat(pull.exitCode()).isEqualTo(1);
            assertThat(pull.stderr()).contains("requires authentication: 401 Unauthorized");
        }
    }

    @Test
    void aMissingHelperForTheRegistryIsBadInputNamingIt() throws IOException {
        Files.writeString(dockerConfig.resolve("config.json"), "{\"credHelpers\":{\"" + registry.address()
                + "\":\"no-such-helper\"}}");
        ExternalCommand.Result pull = agentkernel("pull", reference);
        assertThat(pull.exitCode()).isEqualTo(2);
        assertThat(pull.stderr()).contains("credHelpers[\"" + registry.address() + "\"] in "
                + dockerConfig.resolve("config.json")).contains("docker-credential-no-such-helper is not on the PATH");
    }

    @Test
    void aMissingCredsStoreLeavesTheAuthsToServe() throws IOException {
        Files.writeString(dockerConfig.resolve("config.json"), "{\"credsStore\":\"desktop\",\"auths\":{\""
                + registry.address() + "\":{\"auth\":\"" + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD)
                .getBytes(StandardCharsets.UTF_8)) + "\"}}}");
        ExternalCommand.Result pull = agentkernel("pull", "-q", reference);
        assertThat(pull.exitCode()).as(pull.stderr()).isZero();
    }

    @Test
    void rightCredentialsFromDockerConfigWorkForPullAndRootfsDockerUrls() throws IOException {
        Files.writeString(dockerConfig.resolve("config.json"), "{\"auths\":{\"" + registry.address()
                + "\":{\"auth\":\"" + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD)
                .getBytes(StandardCharsets.UTF_8)) + "\"}}}");
        ExternalCommand.Result pull = agentkernel("pull", reference);
        assertThat(pull.exitCode()).as(pull.stderr()).isZero();

        Path ext4 = home.resolve("private.ext4");
        ExternalCommand.Result rootfs = agentkernel("rootfs", "docker://" + reference, "--no-agent", "-o", ext4.toString());
        assertThat(rootfs.exitCode()).as(rootfs.stderr()).isZero();
        assertThat(ext4).isNotEmptyFile();
        assertThat(rootfs.stderr()).contains("pulling " + reference).contains("already present");
        ExternalCommand.Result byName = agentkernel("rootfs", reference, "--no-agent", "-o", home.resolve("by-name.ext4").toString());
        assertThat(byName.exitCode()).as(byName.stderr()).isZero();
    }

    @Test
    void twoProcessesPullingAtOnceBothSucceedAndImagesRmFreesTheBlobs() throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            var first = pool.submit(() -> agentkernel("pull", "-q", reference, "--creds", USER + ":" + PASSWORD));
            var second = pool.submit(() -> agentkernel("pull", "-q", reference, "--creds", USER + ":" + PASSWORD));
            assertThat(first.get().exitCode()).as(first.get().stderr()).isZero();
            assertThat(second.get().exitCode()).as(second.get().stderr()).isZero();
        } finally {
            pool.shutdownNow();
        }
        Path blobs = home.resolve("blobs/sha256");
        try (var files = Files.list(blobs)) {
            assertThat(files.count()).as("manifest, config and 3 layers, each once").isEqualTo(5);
        }
        ExternalCommand.Result rm = agentkernel("images", "rm", reference);
        assertThat(rm.exitCode()).as(rm.stderr()).isZero();
        try (var files = Files.list(blobs)) {
            assertThat(files.toList()).as("no other image uses them").isEmpty();
        }
    }

    @Test
    void anIdentityTokenForABasicAuthRegistryIsAClearError() throws IOException {
        Files.writeString(dockerConfig.resolve("config.json"), "{\"auths\":{\"" + registry.address()
                + "\":{\"identitytoken\":\"some-refresh-token\"}}}");
        ExternalCommand.Result pull = agentkernel("pull", reference);
        assertThat(pull.exitCode()).isEqualTo(1);
        assertThat(pull.stderr()).contains("registry " + registry.address() + " asks for a user name and password, "
                + "but the credentials from " + dockerConfig.resolve("config.json") + " are an identity token")
                .doesNotContain("some-refresh-token");
    }

    @Test
    void wrongCredentialsAreAClear401() throws IOException {
        ExternalCommand.Result pull = agentkernel("pull", reference, "--creds", USER + ":wrong-password");
        assertThat(pull.exitCode()).isEqualTo(1);
        assertThat(pull.stderr()).contains("agentkernel: registry " + registry.address()
                        + " refused the credentials of user 'alice' from --creds: 401 Unauthorized")
                .doesNotContain("wrong-password");
        assertThat(home.resolve("images")).satisfiesAnyOf(
                p -> assertThat(p).doesNotExist(), p -> assertThat(p).isEmptyDirectory());
    }

    @Test
    void noCredentialsSaysHowToGiveThem() throws IOException {
        ExternalCommand.Result pull = agentkernel("pull", reference);
        assertThat(pull.exitCode()).isEqualTo(1);
        assertThat(pull.stderr()).contains("requires authentication: 401 Unauthorized").contains("--creds");
    }

    @Test
    void malformedReferencesAreBadInput() throws IOException {
        ExternalCommand.Result pull = agentkernel("pull", "Bad/Name");
        assertThat(pull.exitCode()).isEqualTo(2);
        assertThat(pull.stderr()).contains("invalid image reference 'Bad/Name'");
    }
}
