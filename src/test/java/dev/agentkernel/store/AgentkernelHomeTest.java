package dev.agentkernel.store;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class AgentkernelHomeTest {
    @Test
    void explicitHomeWins() {
        var home = AgentkernelHome.fromEnvironment(
                Map.of("AGENTKERNEL_HOME", "/srv/ak", "XDG_DATA_HOME", "/xdg"), "/home/u");
        assertThat(home.root()).isEqualTo(Path.of("/srv/ak"));
        assertThat(home.images()).isEqualTo(Path.of("/srv/ak/images"));
    }

    @Test
    void xdgDataHomeIsNext() {
        var home = AgentkernelHome.fromEnvironment(Map.of("XDG_DATA_HOME", "/xdg"), "/home/u");
        assertThat(home.root()).isEqualTo(Path.of("/xdg/agentkernel"));
    }

    @Test
    void fallsBackToLocalShare() {
        var home = AgentkernelHome.fromEnvironment(Map.of("AGENTKERNEL_HOME", " "), "/home/u");
        assertThat(home.root()).isEqualTo(Path.of("/home/u/.local/share/agentkernel"));
    }
}
