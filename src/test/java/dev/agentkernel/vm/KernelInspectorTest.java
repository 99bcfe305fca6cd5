package dev.agentkernel.vm;

import dev.agentkernel.errors.UserInputException;
import dev.agentkernel.errors.VmException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KernelInspectorTest {
    @TempDir
    Path tmp;

    private Path boot;
    private Path modules;

    /** A kernel tree like Debian's: virtio drivers as modules, ext4 built in. */
    private Kernel fakeKernel(String release, String dep, String builtin, String config) throws IOException {
        boot = Files.createDirectories(tmp.resolve("boot"));
        modules = Files.createDirectories(tmp.resolve("lib/modules"));
        Files.writeString(boot.resolve("vmlinuz-" + release), "kernel");
        Files.writeString(boot.resolve("config-" + release), config);
        Path dir = Files.createDirectories(modules.resolve(release));
        Files.writeString(dir.resolve("modules.dep"), dep);
        Files.writeString(dir.resolve("modules.builtin"), builtin);
        return new KernelLocator(boot, modules, Map.of()).locate(null);
    }

    private static final String DEBIAN_DEP = """
            kernel/drivers/virtio/virtio.ko: kernel/drivers/virtio/virtio_ring.ko
            kernel/drivers/virtio/virtio_ring.ko:
            kernel/drivers/virtio/virtio_mmio.ko: kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko
            kernel/drivers/block/virtio_blk.ko.zst: kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko
            kernel/drivers/char/virtio_console.ko: kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko
            kernel/net/vmw_vsock/vsock.ko:
            kernel/net/vmw_vsock/vmw_vsock_virtio_transport_common.ko: kernel/net/vmw_vsock/vsock.ko
            kernel/net/vmw_vsock/vmw_vsock_virtio_transport.ko: kernel/net/vmw_vsock/vmw_vsock_virtio_transport_common.ko kernel/net/vmw_vsock/vsock.ko kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko
            """;

    @Test
    void modularDriversAreLoadedDependenciesFirstEachOnce() throws IOException {
        Kernel kernel = fakeKernel("6.1.0-test", DEBIAN_DEP, "kernel/fs/ext4/ext4.ko\n", "CONFIG_EXT4_FS=y\n");
        KernelReport report = KernelInspector.inspect(kernel);

        assertThat(report.presence(Driver.EXT4)).isEqualTo(Driver.Presence.BUILT_IN);
        assertThat(report.presence(Driver.VIRTIO_BLK)).isEqualTo(Driver.Presence.MODULE);
        assertThat(report.presence(Driver.VSOCK)).isEqualTo(Driver.Presence.MODULE);
        assertThat(report.problems()).isEmpty();
        List<String> order = report.modulesToLoad().stream().map(p -> modules.resolve("6.1.0-test").relativize(p).toString()).toList();
        assertThat(order).containsExactly(
                "kernel/drivers/virtio/virtio_ring.ko",
                "kernel/drivers/virtio/virtio.ko",
                "kernel/drivers/virtio/virtio_mmio.ko",
                "kernel/drivers/block/virtio_blk.ko.zst",
                "kernel/drivers/char/virtio_console.ko",
                "kernel/net/vmw_vsock/vsock.ko",
                "kernel/net/vmw_vsock/vmw_vsock_virtio_transport_common.ko",
                "kernel/net/vmw_vsock/vmw_vsock_virtio_transport.ko");
    }

    @Test
    void builtInDriversNeedNoInitramfs() throws IOException {
        Kernel kernel = fakeKernel("6.6-microvm", "", """
                kernel/drivers/virtio/virtio_mmio.ko
                kernel/drivers/block/virtio_blk.ko
                kernel/drivers/char/virtio_console.ko
                kernel/net/vmw_vsock/vmw_vsock_virtio_transport.ko
                kernel/fs/ext4/ext4.ko
                """, "");
        KernelReport report = KernelInspector.inspect(kernel);
        assertThat(report.needsInitramfs()).isFalse();
        assertThat(report.problems()).isEmpty();
    }

    @Test
    void aKernelWithoutTheDiskDriverIsRefusedByName() throws IOException {
        Kernel kernel = fakeKernel("5.0-bare", "kernel/drivers/char/virtio_console.ko:\n", "kernel/fs/ext4/ext4.ko\n",
                "CONFIG_VIRTIO_BLK=m\nCONFIG_EXT4_FS=y\n");
        KernelReport report = KernelInspector.inspect(kernel);
        assertThat(report.presence(Driver.VIRTIO_BLK)).isEqualTo(Driver.Presence.MISSING);
        assertThat(String.join("; ", report.problems())).contains("virtio_blk (CONFIG_VIRTIO_BLK").contains("virtio_mmio");

        KernelSetup setup = new KernelSetup(dev.agentkernel.store.AgentkernelHome.at(tmp.resolve("home")),
                new KernelLocator(boot, modules, Map.of()), Path.of("/nonexistent/qemu"));
        assertThatThrownBy(() -> setup.prepare(null, Accelerator.TCG)).isInstanceOf(VmException.class)
                .hasMessageContaining("cannot boot sandboxes").hasMessageContaining("virtio_blk");
        assertThat(tmp.resolve("home/kernels")).doesNotExist();
    }

    @Test
    void locatorPrefersExplicitThenEnvironmentThenNewest() throws IOException {
        Kernel older = fakeKernel("6.9.0", "", "", "");
        Files.writeString(boot.resolve("vmlinuz-6.10.0"), "newer");
        Files.setLastModifiedTime(boot.resolve("vmlinuz-6.10.0"), FileTime.fromMillis(0));
        assertThat(new KernelLocator(boot, modules, Map.of()).locate(null).release()).isEqualTo("6.10.0");
        assertThat(new KernelLocator(boot, modules, Map.of(KernelLocator.ENVIRONMENT_VARIABLE, older.image().toString()))
                .locate(null).release()).isEqualTo("6.9.0");
        assertThat(new KernelLocator(boot, modules, Map.of()).locate(older.image()).image()).isEqualTo(older.image());
    }

    @Test
    void missingKernelsAreClearErrors() {
        KernelLocator empty = new KernelLocator(tmp.resolve("no-boot"), tmp.resolve("no-modules"), Map.of());
        assertThatThrownBy(() -> empty.locate(null)).isInstanceOf(VmException.class).hasMessageContaining("no kernel found");
        assertThatThrownBy(() -> empty.locate(tmp.resolve("vmlinuz-missing"))).isInstanceOf(UserInputException.class)
                .hasMessageContaining("does not exist");
    }

    @Test
    void thisMachinesKernelIsUnderstood() {
        Kernel kernel;
        try {
            kernel = KernelLocator.system().locate(null);
        } catch (VmException e) {
            org.junit.jupiter.api.Assumptions.abort("no kernel in /boot");
            return;
        }
        KernelReport report = KernelInspector.inspect(kernel);
        assertThat(report.problems()).isEmpty();
        for (Path module : report.modulesToLoad()) {
            assertThat(module).isRegularFile();
        }
    }
}
