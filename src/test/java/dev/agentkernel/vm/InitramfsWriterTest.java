package dev.agentkernel.vm;

import com.github.luben.zstd.ZstdOutputStream;
import dev.agentkernel.testing.RequiredTools;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

class InitramfsWriterTest {
    @TempDir
    Path tmp;

    @Test
    void archiveHoldsInitModulesDecompressedLoadOrderAndConsole() throws IOException, InterruptedException {
        Path plain = tmp.resolve("a.ko");
        Files.writeString(plain, "module a");
        Path gz = tmp.resolve("b.ko.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write("module b".getBytes(StandardCharsets.UTF_8));
        }
        Path zst = tmp.resolve("c.ko.zst");
        try (OutputStream out = new ZstdOutputStream(Files.newOutputStream(zst))) {
            out.write("module c".getBytes(StandardCharsets.UTF_8));
        }
        byte[] init = "#!init".getBytes(StandardCharsets.UTF_8);
        Path archive = tmp.resolve("initramfs.cpio");
        try (OutputStream out = Files.newOutputStream(archive)) {
            InitramfsWriter.write(List.of(plain, gz, zst), init, out);
        }

        Map<String, byte[]> files = new HashMap<>();
        CpioArchiveEntry console = null;
        try (CpioArchiveInputStream in = new CpioArchiveInputStream(Files.newInputStream(archive))) {
            for (CpioArchiveEntry e; (e = in.getNextCPIOEntry()) != null; ) {
                if (e.getName().equals("dev/console")) {
                    console = e;
                }
                if (e.isRegularFile()) {
                    files.put(e.getName(), in.readAllBytes());
                }
            }
        }
        assertThat(files.get("init")).isEqualTo(init);
        assertThat(new String(files.get("lib/modules/b.ko"), StandardCharsets.UTF_8)).isEqualTo("module b");
        assertThat(new String(files.get("lib/modules/c.ko"), StandardCharsets.UTF_8)).isEqualTo("module c");
        assertThat(new String(files.get("modules.load"), StandardCharsets.UTF_8))
                .isEqualTo("/lib/modules/a.ko\n/lib/modules/b.ko\n/lib/modules/c.ko\n");
        assertThat(console).isNotNull();
        assertThat(console.isCharacterDevice()).isTrue();
        assertThat(console.getRemoteDeviceMaj()).isEqualTo(5);
        assertThat(console.getRemoteDeviceMin()).isEqualTo(1);

        // the system's cpio reads it too, and the same inputs give the same bytes
        Path cpio = RequiredTools.require("cpio");
        Process p = new ProcessBuilder(cpio.toString(), "-it").redirectInput(archive.toFile()).start();
        String listing = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).isZero();
        assertThat(listing.lines()).contains("init", "dev/console", "lib/modules/c.ko", "modules.load");
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        InitramfsWriter.write(List.of(plain, gz, zst), init, again);
        assertThat(again.toByteArray()).isEqualTo(Files.readAllBytes(archive));
    }
}
