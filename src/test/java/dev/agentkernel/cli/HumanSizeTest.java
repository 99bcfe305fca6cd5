package dev.agentkernel.cli;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class HumanSizeTest {
    @Test
    void formatsWith1024BasedUnitsAndOneDecimal() {
        assertThat(HumanSize.format(0)).isEqualTo("0 B");
        assertThat(HumanSize.format(1023)).isEqualTo("1023 B");
        assertThat(HumanSize.format(1024)).isEqualTo("1.0 KB");
        assertThat(HumanSize.format(1536)).isEqualTo("1.5 KB");
        assertThat(HumanSize.format(2_127_706)).isEqualTo("2.0 MB");
        assertThat(HumanSize.format(1024L * 1024 * 1024 * 5 / 2)).isEqualTo("2.5 GB");
        assertThat(HumanSize.format(1024L * 1024 * 1024 * 1024)).isEqualTo("1024.0 GB");
    }
}
