package dev.agentkernel.sandbox;

import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class SandboxUuidTest {
    @Test
    void version7WithTheTimeInTheTop48Bits() {
        long now = System.currentTimeMillis();
        UUID u = SandboxUuid.next();
        assertThat(u.version()).isEqualTo(7);
        assertThat(u.variant()).isEqualTo(2);
        assertThat(u.getMostSignificantBits() >>> 16).isBetween(now - 1000, now + 1000);
    }

    @Test
    void laterUuidsSortLater() {
        UUID a = SandboxUuid.at(1_000, -1, -1);
        UUID b = SandboxUuid.at(1_001, 0, 0);
        assertThat(a.toString().compareTo(b.toString())).isNegative();
        assertThat(SandboxUuid.at(0x0123_4567_89abL, 0, 0).toString()).startsWith("01234567-89ab-7000-8000-");
    }
}
