package dev.agentkernel.sandbox;

import dev.agentkernel.errors.UserInputException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SandboxFilesPathTest {
    @Test
    void pathsBecomeAbsoluteAndClean() {
        assertThat(SandboxFiles.guestPath("tmp/x")).isEqualTo("/tmp/x");
        assertThat(SandboxFiles.guestPath("//tmp//x/")).isEqualTo("/tmp/x");
        assertThat(SandboxFiles.guestPath("/tmp/./x")).isEqualTo("/tmp/x");
    }

    @Test
    void dotDotNulAndEmptyAreRefused() {
        for (String bad : List.of("", "/", "//", "/tmp/../etc/passwd", "/a\0b")) {
            assertThatThrownBy(() -> SandboxFiles.guestPath(bad)).as(bad).isInstanceOf(UserInputException.class);
        }
    }
}
