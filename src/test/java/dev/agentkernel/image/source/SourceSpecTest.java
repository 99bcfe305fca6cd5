package dev.agentkernel.image.source;

import dev.agentkernel.errors.UserInputException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SourceSpecTest {
    @Test
    void parsesEveryTransport() {
        assertThat(SourceSpec.parse("oci:/tmp/layout:v1"))
                .isEqualTo(new SourceSpec.OciLayout(Path.of("/tmp/layout"), Optional.of("v1")));
        assertThat(SourceSpec.parse("oci:/tmp/layout"))
                .isEqualTo(new SourceSpec.OciLayout(Path.of("/tmp/layout"), Optional.empty()));
        assertThat(SourceSpec.parse("oci-archive:img.tar"))
                .isEqualTo(new SourceSpec.OciArchive(Path.of("img.tar"), Optional.empty()));
        assertThat(SourceSpec.parse("docker-archive:img.tar:localhost/app:1.0"))
                .isEqualTo(new SourceSpec.DockerArchive(Path.of("img.tar"), Optional.of("localhost/app:1.0")));
        assertThat(SourceSpec.parse("docker-daemon:app:latest")).isEqualTo(new SourceSpec.DockerDaemon("app:latest"));
        assertThat(SourceSpec.parse("docker://localhost:5000/app:1"))
                .isEqualTo(new SourceSpec.Registry("localhost:5000/app:1"));
        assertThat(SourceSpec.parse("myimage")).isEqualTo(new SourceSpec.LocalImage("myimage"));
        assertThat(SourceSpec.parse("myimage:2")).isEqualTo(new SourceSpec.LocalImage("myimage:2"));
    }

    @Test
    void printsBackAsParsed() {
        for (String s : new String[]{"oci:/a:b", "oci-archive:/x.tar", "docker-archive:/x.tar:n:t", "docker-daemon:r",
                "docker://r/x:1", "name"}) {
            assertThat(SourceSpec.parse(s).toString()).isEqualTo(s);
        }
    }

    @Test
    void rejectsBadSources() {
        assertThatThrownBy(() -> SourceSpec.parse("oci:")).isInstanceOf(UserInputException.class)
                .hasMessageContaining("names no path");
        assertThatThrownBy(() -> SourceSpec.parse("docker://")).isInstanceOf(UserInputException.class);
        assertThatThrownBy(() -> SourceSpec.parse("./layout")).isInstanceOf(UserInputException.class)
                .hasMessageContaining("oci:./layout");
        assertThatThrownBy(() -> SourceSpec.parse("dir:/x")).isInstanceOf(UserInputException.class)
                .hasMessageContaining("unsupported");
    }
}
