package dev.agentkernel.vm;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class MonitorConfigTest {
    @TempDir
    Path tmp;

    private VmSpec spec(Path initramfs, Accelerator accel) {
        KernelReport report = new KernelReport(new Kernel(tmp.resolve("vmlinuz"), "6.1", null, null), Map.of(), List.of());
        return new VmSpec(new PreparedKernel(tmp.resolve("vmlinuz"), initramfs, report, accel), tmp.resolve("disk.ext4"),
                256, 2, tmp);
    }

    @Test
    void qemuMicrovmWithVirtioSerialAgentPort() {
        List<String> argv = new QemuMonitor(Path.of("/usr/bin/qemu-system-x86_64")).command(spec(tmp.resolve("initrd"), Accelerator.TCG));
        String joined = String.join(" ", argv);
        assertThat(argv).containsSequence("-M", "microvm").containsSequence("-accel", "tcg")
                .containsSequence("-m", "256").containsSequence("-smp", "2")
                .containsSequence("-initrd", tmp.resolve("initrd").toString())
                .contains("-no-reboot");
        assertThat(joined).contains("virtio-blk-device,drive=root")
                .contains("socket,id=agent,path=" + tmp.resolve("agent.sock") + ",server=on,wait=off")
                .contains("virtserialport,chardev=agent,name=agent")
                .contains("file:" + tmp.resolve("console.log"));
        String append = argv.get(argv.indexOf("-append") + 1);
        assertThat(append).contains("root=/dev/vda", "panic=-1").doesNotContain("init=/init");
        if (KernelCommandLine.hostTscKhz().isPresent()) {
            assertThat(append).contains("tsc_early_khz=" + KernelCommandLine.hostTscKhz().getAsLong());
        }
    }

    @Test
    void aScratchDriveComesAfterTheRootOneWithItsSizeOnTheCommandLine() {
        VmSpec plain = spec(null, Accelerator.TCG);
        List<String> without = new QemuMonitor(Path.of("qemu")).command(plain);
        assertThat(without.stream().filter("-drive"::equals)).as("a sandbox without one: its fingerprint unchanged")
                .hasSize(1);
        assertThat(String.join(" ", without)).doesNotContain("scratch");
        VmSpec spec = new VmSpec(plain.kernel(), plain.disk(), VmSpec.DiskFormat.RAW, 256, 2, tmp, 1,
                new VmSpec.ScratchDrive(tmp.resolve("scratch.ext4"), 1L << 30));
        List<String> argv = new QemuMonitor(Path.of("qemu")).command(spec);
        int root = argv.indexOf("virtio-blk-device,drive=root");
        int scratch = argv.indexOf("virtio-blk-device,drive=scratch");
        assertThat(root).isPositive();
        assertThat(scratch).as("after the root drive, which stays /dev/vda").isGreaterThan(root);
        assertThat(argv).contains("id=scratch,file=" + tmp.resolve("scratch.ext4") + ",format=raw,size=1073741824"
                + ",if=none,cache=unsafe");
        JsonNode config = FirecrackerMonitor.config(spec);
        assertThat(config.at("/drives/1/drive_id").asText()).isEqualTo("scratch");
        assertThat(config.at("/drives/1/path_on_host").asText()).isEqualTo("scratch.ext4");
        assertThat(config.at("/drives/1/is_root_device").asBoolean()).isFalse();
        assertThat(FirecrackerMonitor.config(plain).at("/drives").size()).isEqualTo(1);
    }

    @Test
    void withoutInitramfsTheKernelStartsTheRootfsInit() {
        List<String> argv = new QemuMonitor(Path.of("qemu")).command(spec(null, Accelerator.KVM));
        assertThat(argv).doesNotContain("-initrd").containsSequence("-accel", "kvm");
        assertThat(argv.get(argv.indexOf("-append") + 1)).contains("init=/init").doesNotContain("tsc_early_khz");
    }

    @Test
    void cpuFrequencyFromCpuinfo() {
        assertThat(KernelCommandLine.parseCpuKhz("processor\t: 0\ncpu MHz\t\t: 2596.122\n").getAsLong()).isEqualTo(2596122);
        assertThat(KernelCommandLine.parseCpuKhz("processor: 0\n")).isEmpty();
    }

    @Test
    void firecrackerTakesOnlyAnElfKernel(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path elf = java.nio.file.Files.write(dir.resolve("vmlinux"), new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0});
        FirecrackerMonitor.requireElfKernel(elf);
        Path bzImage = java.nio.file.Files.write(dir.resolve("vmlinuz"), new byte[] {'M', 'Z', 0, 0, 0, 0});
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> FirecrackerMonitor.requireElfKernel(bzImage))
                .isInstanceOf(dev.agentkernel.errors.UserInputException.class)
                .hasMessageContaining("vmlinux").hasMessageContaining("--backend qemu");
        java.util.Optional<Path> installed;
        try (var boot = java.nio.file.Files.list(Path.of("/boot"))) {
            installed = boot.filter(p -> p.getFileName().toString().startsWith("vmlinuz-")).findFirst();
        }
        installed.ifPresent(k -> org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> FirecrackerMonitor.requireElfKernel(k)).hasMessageContaining("not one"));
    }

    @Test
    void firecrackerConfigurationNamesKernelDriveMachineAndVsock() {
        VmSpec spec = spec(tmp.resolve("initrd"), Accelerator.KVM);
        List<String> argv = new FirecrackerMonitor(Path.of("/usr/bin/firecracker")).command(spec);
        assertThat(argv).containsExactly("/usr/bin/firecracker", "--api-sock", tmp.resolve("api.sock").toString(),
                "--config-file", FirecrackerMonitor.configFile(spec).toString());
        assertThat(FirecrackerMonitor.configFile(spec)).exists();
        JsonNode config = FirecrackerMonitor.config(spec);
        assertThat(config.at("/boot-source/kernel_image_path").asText()).isEqualTo(tmp.resolve("vmlinuz").toString());
        assertThat(config.at("/boot-source/initrd_path").asText()).isEqualTo(tmp.resolve("initrd").toString());
        assertThat(config.at("/boot-source/boot_args").asText()).contains("console=ttyS0", "reboot=k");
        assertThat(config.at("/drives/0/is_root_device").asBoolean()).isTrue();
        assertThat(config.at("/drives/0/is_read_only").asBoolean()).isFalse();
        assertThat(config.at("/drives/0/path_on_host").asText()).as("relative to the sandbox directory, its working directory, so a snapshot restores in another one")
                .isEqualTo("disk.ext4");
        assertThat(config.at("/machine-config/vcpu_count").asInt()).isEqualTo(2);
        assertThat(config.at("/machine-config/mem_size_mib").asInt()).isEqualTo(256);
        assertThat(config.at("/vsock/guest_cid").asInt()).isEqualTo(3);
        assertThat(config.at("/vsock/uds_path").asText()).isEqualTo("agent.sock");
        assertThat(new FirecrackerMonitor(Path.of("/usr/bin/firecracker")).restoreCommand(spec))
                .containsExactly("/usr/bin/firecracker", "--api-sock", tmp.resolve("api.sock").toString());
    }
}
