package dev.agentkernel.snapshot;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fingerprint keys a boot snapshot by everything that shapes the machine, and by nothing a sandbox has on its
 * own: its directory and its published ports ({@code hostfwd}) are left out, every other option is kept.
 */
class MachineFingerprintTest {
    @TempDir
    Path dir;

    @org.junit.jupiter.api.BeforeEach
    void files() throws IOException {
        Files.writeString(dir.resolve("qemu"), "x");
        Files.writeString(dir.resolve("vmlinuz"), "k");
        Files.writeString(dir.resolve("rootfs.ext4"), "r");
    }

    private List<String> argv(String memory, String netdev) {
        Path qemu = dir.resolve("qemu");
        return List.of(qemu.toString(), "-M", "microvm", "-m", memory, "-serial", "file:" + dir.resolve("sb/console.log"),
                "-netdev", netdev, "-device", "virtio-net-device,netdev=net0");
    }

    private MachineFingerprint of(List<String> argv) {
        return MachineFingerprint.of(argv, dir.resolve("sb"), dir.resolve("vmlinuz"), null, "key", dir.resolve("rootfs.ext4"));
    }

    @Test
    void publishedPortsDoNotChangeTheKeyButTheMachineDoes() throws IOException {
        String plain = "user,id=net0,ipv4=on,net=10.0.2.0/24";
        MachineFingerprint none = of(argv("512", plain));
        MachineFingerprint one = of(argv("512", plain + ",hostfwd=tcp:127.0.0.1:41327-10.0.2.15:8000"));
        MachineFingerprint two = of(argv("512", plain + ",hostfwd=tcp:127.0.0.1:5000-10.0.2.15:80"
                + ",hostfwd=udp:127.0.0.1:5353-10.0.2.15:53"));
        assertThat(one.key()).isEqualTo(none.key()).isEqualTo(two.key());
        assertThat(one.mismatch(two)).isEmpty();
        assertThat(one.commandLine()).contains(plain).contains("file:${SANDBOX}/console.log")
                .noneMatch(a -> a.contains("hostfwd"));
        assertThat(of(argv("1024", plain)).key()).as("memory shapes the machine").isNotEqualTo(none.key());
        assertThat(of(argv("512", plain + ",restrict=on")).key()).as("a netdev option other than hostfwd")
                .isNotEqualTo(none.key());
    }

    @Test
    void aGuestForwardWithDoubledCommasIsKeptWhole() throws IOException {
        String netdev = "user,id=net0,hostfwd=tcp:127.0.0.1:1-10.0.2.15:2,guestfwd=tcp:10.0.2.100:80-cmd:'p' --allow 'a,,b'"
                + ",hostfwd=tcp:127.0.0.1:3-10.0.2.15:4";
        assertThat(of(argv("512", netdev)).commandLine())
                .contains("user,id=net0,guestfwd=tcp:10.0.2.100:80-cmd:'p' --allow 'a,,b'");
    }

    @Test
    void aHeaderWrittenWithForwardsReadsBackWithout() throws IOException {
        MachineFingerprint saved = new MachineFingerprint(MachineFingerprint.FORMAT, null, null, null, "key", null,
                List.of("-netdev", "user,id=net0,hostfwd=tcp:127.0.0.1:1-10.0.2.15:2"));
        Path file = dir.resolve("machine.json");
        saved.write(file);
        assertThat(MachineFingerprint.read(file).commandLine()).containsExactly("-netdev", "user,id=net0");
    }
}
