package dev.agentkernel.cli;

import dev.agentkernel.image.Descriptor;
import dev.agentkernel.image.Digest;
import dev.agentkernel.registry.PullListener.BlobKind;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

class PullProgressTest {
    private static final Descriptor LAYER = Descriptor.of("application/vnd.oci.image.layer.v1.tar+gzip",
            Digest.sha256(new byte[] {1}), 2 * 1024 * 1024);
    private static final Descriptor CONFIG = Descriptor.of("application/vnd.oci.image.config.v1+json",
            Digest.sha256(new byte[] {2}), 900);

    @Test
    void plainLinesWhenNotATerminal() {
        StringWriter text = new StringWriter();
        PullProgress p = new PullProgress(new PrintWriter(text), false);
        p.resolved("localhost:5000/a:1", LAYER.digest(), 2);
        p.cached(BlobKind.CONFIG, 0, CONFIG);
        p.started(BlobKind.LAYER, 1, LAYER, 0);
        p.progress(BlobKind.LAYER, 1, LAYER, 1024 * 1024);
        p.finished(BlobKind.LAYER, 1, LAYER);
        p.started(BlobKind.LAYER, 2, LAYER, 512 * 1024);
        p.close();
        String shortLayer = "sha256:" + LAYER.digest().shortHex();
        assertThat(text.toString().lines().toList()).containsExactly(
                "pulling localhost:5000/a:1 (manifest " + LAYER.digest() + ", 2 layers)",
                "config sha256:" + CONFIG.digest().shortHex() + ": already present",
                "layer 1 " + shortLayer + ": downloading 2.0 MB",
                "layer 1 " + shortLayer + ": done (2.0 MB, verified)",
                "layer 2 " + shortLayer + ": downloading 2.0 MB (resuming at 512.0 KB)");
        assertThat(text.toString()).doesNotContain("\r").doesNotContain("\033");
    }

    @Test
    void barsRedrawnInPlaceOnATerminal() {
        StringWriter text = new StringWriter();
        PullProgress p = new PullProgress(new PrintWriter(text), true);
        p.started(BlobKind.LAYER, 1, LAYER, 0);
        p.started(BlobKind.LAYER, 2, LAYER, 0);
        p.progress(BlobKind.LAYER, 2, LAYER, LAYER.size() / 2);
        assertThat(text.toString()).contains("layer 1 [                    ]   0%")
                .contains("\r\033[2K");
        p.finished(BlobKind.LAYER, 1, LAYER);
        p.close();
        String out = text.toString();
        assertThat(out).contains("layer 1 sha256:" + LAYER.digest().shortHex() + ": done (2.0 MB, verified)\n");
        assertThat(out).endsWith("\r\033[2K");
    }
}
