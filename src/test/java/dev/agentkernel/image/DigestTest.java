package dev.agentkernel.image;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DigestTest {
    @Test
    void sha256OfKnownInput() {
        Digest d = Digest.sha256("abc".getBytes(StandardCharsets.US_ASCII));
        assertThat(d).hasToString("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(Digest.parse(d.toString())).isEqualTo(d);
        assertThat(d.shortHex()).isEqualTo("ba7816bf8f01");
    }

    @Test
    void rejectsMalformed() {
        assertThatThrownBy(() -> Digest.parse("sha256:ABC")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Digest.parse("md5:" + "a".repeat(32))).hasMessageContaining("unsupported");
        assertThatThrownBy(() -> Digest.parse("nocolon")).hasMessageContaining("not a digest");
        assertThat(Digest.isDigest("sha256:" + "0".repeat(64))).isTrue();
        assertThat(Digest.isDigest("sha256:" + "0".repeat(63))).isFalse();
    }
}
