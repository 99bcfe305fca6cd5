package dev.agentkernel.image;

import dev.agentkernel.errors.ImageException;
import dev.agentkernel.errors.UserInputException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PlatformTest {
    private static final Digest D1 = Digest.sha256(new byte[]{1});
    private static final Digest D2 = Digest.sha256(new byte[]{2});
    private static final Digest D3 = Digest.sha256(new byte[]{3});

    @Test
    void parsesOsArchVariantAndNormalisesAliases() {
        Platform p = Platform.parse("linux/arm64/v8");
        assertThat(p.os()).isEqualTo("linux");
        assertThat(p.architecture()).isEqualTo("arm64");
        assertThat(p.variant()).isEqualTo("v8");
        assertThat(Platform.parse("linux/x86_64")).isEqualTo(Platform.parse("linux/amd64"));
        assertThat(Platform.parse("Linux/AArch64").toString()).isEqualTo("linux/arm64");
    }

    @Test
    void rejectsMalformedPlatforms() {
        for (String bad : List.of("linux", "linux/", "/amd64", "linux/arm/v7/x", "linux/arm/")) {
            assertThatThrownBy(() -> Platform.parse(bad)).isInstanceOf(UserInputException.class)
                    .hasMessageContaining("OS/ARCH");
        }
    }

    @Test
    void hostIsLinuxWithGoArchitectureName() {
        Platform host = Platform.host();
        assertThat(host.os()).isEqualTo("linux");
        assertThat(host.architecture()).isIn("amd64", "arm64", "386", "ppc64le", "s390x", "riscv64")
                .isNotEqualTo("x86_64").isNotEqualTo("aarch64");
    }

    @Test
    void variantMatching() {
        assertThat(Platform.parse("linux/arm64").accepts(Platform.parse("linux/arm64/v8"))).isTrue();
        assertThat(Platform.parse("linux/arm64/v8").accepts(Platform.parse("linux/arm64"))).isTrue();
        assertThat(Platform.parse("linux/arm/v7").accepts(Platform.parse("linux/arm/v6"))).isFalse();
        assertThat(Platform.parse("linux/amd64").accepts(Platform.parse("linux/arm64"))).isFalse();
    }

    private static Descriptor entry(Digest d, String platform, Map<String, String> annotations) {
        return new Descriptor(MediaTypes.OCI_MANIFEST, d, 100,
                platform == null ? Optional.empty() : Optional.of(Platform.parse(platform)), annotations, null);
    }

    @Test
    void indexSelectsThePlatformAndSkipsAttestations() {
        ImageIndex index = new ImageIndex(MediaTypes.OCI_INDEX, List.of(
                entry(D1, "unknown/unknown", Map.of("vnd.docker.reference.type", "attestation-manifest")),
                entry(D2, "linux/amd64", Map.of()),
                entry(D3, "linux/arm64/v8", Map.of())));
        assertThat(index.select(Platform.parse("linux/amd64")).digest()).isEqualTo(D2);
        assertThat(index.select(Platform.parse("linux/arm64")).digest()).isEqualTo(D3);
        assertThatThrownBy(() -> index.select(Platform.parse("linux/s390x")))
                .isInstanceOf(ImageException.class)
                .hasMessageContaining("no manifest for linux/s390x")
                .hasMessageContaining("linux/amd64, linux/arm64/v8")
                .hasMessageNotContaining("unknown");
    }

    @Test
    void singleEntryWithoutPlatformIsTaken() {
        ImageIndex index = new ImageIndex(MediaTypes.OCI_INDEX, List.of(entry(D1, null, Map.of())));
        assertThat(index.select(Platform.parse("linux/amd64")).digest()).isEqualTo(D1);
    }
}
