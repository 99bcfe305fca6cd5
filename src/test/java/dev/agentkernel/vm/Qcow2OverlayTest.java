package dev.agentkernel.vm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentkernel.errors.VmException;
import dev.agentkernel.testing.ExternalCommand;
import dev.agentkernel.testing.RequiredTools;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The overlays we write, read by QEMU's own tools: qemu-img check and info, and qemu-io through the chain. */
class Qcow2OverlayTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @BeforeAll
    static void tools() {
        RequiredTools.require("qemu-img");
        RequiredTools.require("qemu-io");
    }

    @Test
    void anOverlayOverARawFileIsWhatQemuImgWouldMake() throws IOException {
        Path raw = rawFile("rootfs.ext4", 3L << 30); // 3 GiB: more than one L1 entry (512 MiB each)
        Path overlay = dir.resolve("disk.qcow2");
        Qcow2Overlay.create(overlay, raw, Qcow2Overlay.BackingFormat.RAW);

        ExternalCommand.run(TIMEOUT, "qemu-img", "check", overlay.toString());
        JsonNode info = info(overlay);
        assertThat(info.path("format").asText()).isEqualTo("qcow2");
        assertThat(info.path("virtual-size").asLong()).isEqualTo(3L << 30);
        assertThat(info.path("cluster-size").asLong()).isEqualTo(65536);
        assertThat(info.path("backing-filename").asText()).isEqualTo(raw.toString());
        assertThat(info.path("backing-filename-format").asText()).isEqualTo("raw");
        assertThat(info.path("format-specific").path("data").path("compat").asText()).isEqualTo("1.1");

        Path reference = dir.resolve("reference.qcow2");
        ExternalCommand.run(TIMEOUT, "qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw", "-b", raw.toString(),
                reference.toString());
        assertThat(Files.size(overlay)).isEqualTo(Files.size(reference)); // the same clusters, the same L1 size
    }

    @Test
    void readsFallThroughAndWritesStayInTheTopLayer() throws IOException {
        Path raw = rawFile("rootfs.ext4", 64L << 20);
        try (RandomAccessFile f = new RandomAccessFile(raw.toFile(), "rw")) {
            f.seek(1 << 20);
            f.write(new byte[4096]); // zeros, then a pattern the chain must show
            f.seek(2 << 20);
            byte[] pattern = new byte[65536];
            java.util.Arrays.fill(pattern, (byte) 0x5a);
            f.write(pattern);
        }
        Path snapshotDisk = dir.resolve("snapshot.qcow2");
        Qcow2Overlay.create(snapshotDisk, raw, Qcow2Overlay.BackingFormat.RAW);
        io(snapshotDisk, "write -P 0x11 0 64k");
        Path top = dir.resolve("disk.qcow2");
        Qcow2Overlay.create(top, snapshotDisk, Qcow2Overlay.BackingFormat.QCOW2);
        assertThat(info(top).path("backing-filename-format").asText()).isEqualTo("qcow2");
        assertThat(info(top).path("virtual-size").asLong()).isEqualTo(64L << 20);

        io(top, "read -P 0x11 0 64k");          // from the middle layer
        io(top, "read -P 0x5a 2M 64k");         // from the raw file
        io(top, "write -P 0x22 2M 4k");
        io(top, "read -P 0x22 2M 4k");
        io(snapshotDisk, "read -P 0x5a 2M 4k"); // the lower layers are untouched
        io(top, "read -P 0x00 1M 4k");
        ExternalCommand.run(TIMEOUT, "qemu-img", "check", top.toString());
        ExternalCommand.run(TIMEOUT, "qemu-img", "check", snapshotDisk.toString());
    }

    @Test
    void aBackingFileThatIsNoDiskIsRefusedAndNothingIsWritten() throws IOException {
        Path notQcow2 = Files.writeString(dir.resolve("text"), "this is not a qcow2 image, only words\n");
        Path overlay = dir.resolve("disk.qcow2");
        assertThatThrownBy(() -> Qcow2Overlay.create(overlay, notQcow2, Qcow2Overlay.BackingFormat.QCOW2))
                .isInstanceOf(VmException.class).hasMessageContaining("not a qcow2 image");
        assertThatThrownBy(() -> Qcow2Overlay.create(overlay, notQcow2, Qcow2Overlay.BackingFormat.RAW))
                .isInstanceOf(VmException.class).hasMessageContaining("multiple of 512");
        assertThatThrownBy(() -> Qcow2Overlay.create(overlay, dir.resolve("missing"), Qcow2Overlay.BackingFormat.RAW))
                .isInstanceOf(VmException.class).hasMessageContaining("cannot read the backing file");
        try (var left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactly("text");
        }
    }

    private Path rawFile(String name, long size) throws IOException {
        Path raw = dir.resolve(name);
        try (RandomAccessFile f = new RandomAccessFile(raw.toFile(), "rw")) {
            f.setLength(size);
        }
        return raw;
    }

    private static JsonNode info(Path image) throws IOException {
        return JSON.readTree(ExternalCommand.run(TIMEOUT, "qemu-img", "info", "--output", "json", image.toString())
                .stdout());
    }

    private static void io(Path image, String command) {
        ExternalCommand.Result r = ExternalCommand.run(TIMEOUT, List.of("qemu-io", "-c", command, image.toString()));
        assertThat(r.stdout()).as(command).doesNotContain("Pattern verification failed").doesNotContain("failed");
    }
}
