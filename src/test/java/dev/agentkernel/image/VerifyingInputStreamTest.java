package dev.agentkernel.image;

import dev.agentkernel.errors.ImageException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VerifyingInputStreamTest {
    private static final byte[] DATA = "hello layer".getBytes(StandardCharsets.UTF_8);

    @Test
    void passesMatchingContent() throws Exception {
        try (VerifyingInputStream in = new VerifyingInputStream(new ByteArrayInputStream(DATA), Digest.sha256(DATA),
                DATA.length, "layer 1 of 1")) {
            assertThat(in.readAllBytes()).isEqualTo(DATA);
            assertThat(in.verified()).isTrue();
        }
    }

    @Test
    void wrongDigestFailsAtTheEndNamingTheBlob() {
        InputStream in = new VerifyingInputStream(new ByteArrayInputStream(DATA), Digest.sha256(new byte[]{1}),
                DATA.length, "layer 2 of 3 (sha256:abc)");
        assertThatThrownBy(in::readAllBytes).isInstanceOf(ImageException.class)
                .hasMessageContaining("layer 2 of 3 (sha256:abc) does not match its digest");
    }

    @Test
    void truncatedAndOversizedBlobsFail() {
        InputStream shortIn = new VerifyingInputStream(new ByteArrayInputStream(DATA), Digest.sha256(DATA),
                DATA.length + 5, "blob");
        assertThatThrownBy(shortIn::readAllBytes).hasMessageContaining("truncated");
        InputStream longIn = new VerifyingInputStream(new ByteArrayInputStream(DATA), Digest.sha256(DATA),
                DATA.length - 1, "blob");
        assertThatThrownBy(longIn::readAllBytes).hasMessageContaining("larger than");
    }

    @Test
    void closingEarlyStillVerifies() {
        VerifyingInputStream in = new VerifyingInputStream(new ByteArrayInputStream(DATA), Digest.sha256(new byte[]{9}),
                -1, "blob");
        assertThatThrownBy(in::close).isInstanceOf(ImageException.class).hasMessageContaining("does not match");
    }
}
