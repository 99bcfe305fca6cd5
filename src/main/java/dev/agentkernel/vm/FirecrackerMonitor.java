package dev.agentkernel.vm;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.agent.AgentTransport;
import dev.agentkernel.agent.FirecrackerVsockTransport;
import dev.agentkernel.errors.UserInputException;
import dev.agentkernel.errors.VmException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Firecracker without its API server ({@code --no-api --config-file}): the configuration file names the
 * kernel (an uncompressed vmlinux on x86_64), the initramfs, the root drive, the machine size and a vsock
 * device whose host side is a Unix socket in the sandbox directory. The serial console is its stdout.
 */
public final class FirecrackerMonitor implements Monitor {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** The guest's vsock context id; 3 is the first one free for guests. */
    static final int GUEST_CID = 3;

    private final Path program;

    public FirecrackerMonitor(Path program) {
        this.program = program;
    }

    /**
     * Firecracker on x86_64 boots only an uncompressed ELF kernel; distributions install a compressed bzImage
     * as /boot/vmlinuz-*, which it would refuse with a far less helpful message at boot.
     */
    public static void requireElfKernel(Path kernel) {
        byte[] head = new byte[4];
        try (InputStream in = Files.newInputStream(kernel)) {
            if (in.readNBytes(head, 0, 4) == 4 && head[0] == 0x7f && head[1] == 'E' && head[2] == 'L' && head[3] == 'F') {
                return;
            }
        } catch (IOException e) {
            throw new VmException("cannot read the kernel " + kernel + ": " + e.getMessage(), e);
        }
        throw new UserInputException("the firecracker backend needs an uncompressed ELF kernel (vmlinux), and " + kernel
                + " is not one (a /boot/vmlinuz-* bzImage is for QEMU): pass --kernel PATH/TO/vmlinux, or use"
                + " --backend qemu");
    }

    public static Path configFile(VmSpec spec) {
        return spec.sandboxDir().resolve("firecracker.json");
    }

    @Override
    public List<String> command(VmSpec spec) {
        Path config = configFile(spec);
        try {
            JSON.writeValue(config.toFile(), config(spec));
        } catch (IOException e) {
            throw new VmException("cannot write " + config + ": " + e.getMessage(), e);
        }
        return List.of(program.toString(), "--no-api", "--config-file", config.toString());
    }

    /** The configuration document, as Firecracker's {@code vmm_config} names its fields. */
    public static ObjectNode config(VmSpec spec) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode boot = root.putObject("boot-source");
        boot.put("kernel_image_path", spec.kernel().kernel().toString());
        // Firecracker adds root=/dev/vda for the root drive itself; i8042 is absent, so reboot through the keyboard
        // controller is how the guest ends the VM
        boot.put("boot_args", KernelCommandLine.build(spec, List.of("reboot=k", "pci=off", "i8042.noaux",
                "i8042.nomux", "i8042.dumbkbd")));
        if (spec.kernel().initramfs() != null) {
            boot.put("initrd_path", spec.kernel().initramfs().toString());
        }
        ObjectNode drive = root.putArray("drives").addObject();
        drive.put("drive_id", "rootfs");
        drive.put("path_on_host", spec.disk().toString());
        drive.put("is_root_device", true);
        drive.put("is_read_only", false);
        ObjectNode machine = root.putObject("machine-config");
        machine.put("vcpu_count", spec.cpus());
        machine.put("mem_size_mib", spec.memoryMb());
        ObjectNode vsock = root.putObject("vsock");
        vsock.put("guest_cid", GUEST_CID);
        vsock.put("uds_path", spec.agentSocket().toString());
        return root;
    }

    @Override
    public AgentTransport transport(VmSpec spec) {
        return new FirecrackerVsockTransport(spec.agentSocket(), FirecrackerVsockTransport.AGENT_PORT);
    }
}
