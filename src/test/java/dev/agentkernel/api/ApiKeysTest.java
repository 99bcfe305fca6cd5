package dev.agentkernel.api;

import dev.agentkernel.errors.UserInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ApiKeysTest {
    @Test
    void keysFromFlagsFileAndEnvironmentAreAllAccepted(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("keys");
        Files.writeString(file, "# team keys\n\n  from-file-1  \nfrom-file-2\n");
        ApiKeys keys = ApiKeys.of(List.of("from-flag"), file, "from-env");
        assertThat(keys.required()).isTrue();
        assertThat(keys.count()).isEqualTo(4);
        for (String k : List.of("from-flag", "from-file-1", "from-file-2", "from-env")) {
            assertThat(keys.accepts("Bearer " + k)).as(k).isTrue();
        }
    }

    @Test
    void wrongMissingOrMalformedHeadersAreRefused() {
        ApiKeys keys = ApiKeys.of(List.of("s3cret"), null, null);
        assertThat(keys.accepts(null)).isFalse();
        assertThat(keys.accepts("")).isFalse();
        assertThat(keys.accepts("s3cret")).isFalse();
        assertThat(keys.accepts("Basic s3cret")).isFalse();
        assertThat(keys.accepts("Bearer s3cre")).isFalse();
        assertThat(keys.accepts("Bearer s3cret ")).isFalse();
        assertThat(keys.accepts("bearer s3cret")).isFalse();
        assertThat(keys.accepts("Bearer s3cret")).isTrue();
    }

    @Test
    void noKeysMeansNoneRequired() {
        assertThat(ApiKeys.of(List.of(), null, null).required()).isFalse();
        assertThat(ApiKeys.of(List.of(), null, "  ").required()).isFalse();
        assertThat(ApiKeys.none().accepts("Bearer x")).isFalse();
    }

    @Test
    void badKeysAndFilesAreBadInput(@TempDir Path dir) throws IOException {
        assertThatThrownBy(() -> ApiKeys.of(List.of("has space"), null, null)).isInstanceOf(UserInputException.class);
        assertThatThrownBy(() -> ApiKeys.of(List.of(""), null, null)).isInstanceOf(UserInputException.class);
        Path empty = dir.resolve("empty");
        Files.writeString(empty, "# nothing\n\n");
        assertThatThrownBy(() -> ApiKeys.of(List.of(), empty, null)).isInstanceOf(UserInputException.class)
                .hasMessageContaining("holds no key");
        assertThatThrownBy(() -> ApiKeys.of(List.of(), dir.resolve("absent"), null))
                .isInstanceOf(UserInputException.class).hasMessageContaining("does not exist");
    }
}
