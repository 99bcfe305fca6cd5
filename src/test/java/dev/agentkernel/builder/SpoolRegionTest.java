package dev.agentkernel.builder;

import dev.agentkernel.agent.CopyEntry;
import dev.agentkernel.agent.EntryKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The spooled contents of ADD archives and RUN layers read back: every promised byte, or an error. */
class SpoolRegionTest {
    @TempDir
    Path dir;

    private static byte[] read(PlannedEntry e) throws IOException {
        try (InputStream in = e.open()) {
            return in.readAllBytes();
        }
    }

    @Test
    void aRunLayersZerosTheGuestNeverSentReadAsZeros() throws IOException {
        try (LayerCapture capture = new LayerCapture(dir.resolve("spool"))) {
            capture.entry(new CopyEntry("sparse-middle", EntryKind.FILE, 0644, 0, 0, 0, 0, 8192, null, 0, 0));
            capture.data(4096, ByteBuffer.wrap("tail".getBytes(StandardCharsets.US_ASCII)));
            capture.entry(new CopyEntry("zeros-at-end", EntryKind.FILE, 0644, 0, 0, 0, 0, 10000, null, 0, 0));
            capture.data(0, ByteBuffer.wrap("head".getBytes(StandardCharsets.US_ASCII)));
            List<PlannedEntry> entries = capture.entries();
            byte[] middle = read(entries.get(0));
            assertThat(middle).hasSize(8192);
            assertThat(Arrays.copyOfRange(middle, 4096, 4100)).isEqualTo("tail".getBytes(StandardCharsets.US_ASCII));
            assertThat(Arrays.copyOfRange(middle, 0, 4096)).containsOnly(0);
            byte[] end = read(entries.get(1));
            assertThat(end).hasSize(10000);
            assertThat(Arrays.copyOfRange(end, 0, 4)).isEqualTo("head".getBytes(StandardCharsets.US_ASCII));
            assertThat(Arrays.copyOfRange(end, 4, 10000)).containsOnly(0);
        }
    }

    @Test
    void aRegionPastTheSpoolsEndIsAnErrorNotZeros() throws IOException {
        try (SpoolFile spool = new SpoolFile(dir, "t")) {
            long at = spool.append(new ByteArrayInputStream(new byte[] {1, 2, 3}), 10, "x");
            assertThat(spool.region(at, 3).open().readAllBytes()).containsExactly(1, 2, 3);
            try (InputStream in = spool.region(at, 5).open()) {
                assertThatThrownBy(in::readAllBytes).hasMessageContaining("ended early");
            }
        }
    }
}
