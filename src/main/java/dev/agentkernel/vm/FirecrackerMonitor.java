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
 * Firecracker booted from a configuration file ({@code --config-file}) with its API server on {@code api.sock}
 * in the sandbox directory (for snapshots: {@link FirecrackerApi}): the configuration file names the kernel (an
 * uncompressed vmlinux on x86_64), the initramfs, the root drive, the machine size and a vsock device whose host
 * side is a Unix socket in the sandbox directory. The serial console is its stdout. The drive and the vsock
 * socket are named relative to the sandbox directory, which is Firecracker's working directory (its launchers
 * start monitors there): a snapshot records those paths, and a VM restored from it in another sandbox's directory
 * then opens that sandbox's disk and socket. Not run against a real Firecracker here (it needs KVM).
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

    /** The API server's socket ({@code --api-sock}); Firecracker refuses to start while a stale one is there. */
    public static Path apiSocket(Path sandboxDir) {
        return sandboxDir.resolve("api.sock");
    }

    @Override
    public List<String> command(VmSpec spec) {
        Path config = configFile(spec);
        try {
            JSON.writeValue(config.toFile(), config(spec));
        } catch (IOException e) {
            throw new VmException("cannot write " + config + ": " + e.getMessage(), e);
        }
        removeStaleSocket(spec);
        return List.of(program.toString(), "--api-sock", apiSocket(spec.sandboxDir()).toString(), "--config-file",
                config.toString());
    }

    /**
     * A Firecracker with nothing configured but its API server, to load a snapshot into ({@code PUT /snapshot/load};
     * the machine, drive and vsock come from the snapshot). Started in the sandbox directory, like a boot.
     */
    public List<String> restoreCommand(VmSpec spec) {
        removeStaleSocket(spec);
        return List.of(program.toString(), "--api-sock", apiSocket(spec.sandboxDir()).toString());
    }

    private static void removeStaleSocket(VmSpec spec) {
        try {
            Files.deleteIfExists(apiSocket(spec.sandboxDir()));
        } catch (IOException e) {
            throw new VmException("cannot remove the stale " + apiSocket(spec.sandboxDir()) + ": " + e.getMessage(), e);
        }
    }

    /** {@code path} relative to the sandbox directory when it is inside it (see the class comment). */
    private static String inSandbox(VmSpec spec, Path path) {
        Path dir = spec.sandboxDir().toAbsolutePath().normalize();
        Path p = path.toAbsolutePath().normalize();
        return p.startsWith(dir) ? dir.relativize(p).toString() : p.toString();
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
        com.fasterxml.jackson.databind.node.ArrayNode drives = root.putArray("drives");
        ObjectNode drive = drives.addObject();
        drive.put("drive_id", "rootfs");
        drive.put("path_on_host", inSandbox(spec, spec.disk()));
        drive.put("is_root_device", true);
        drive.put("is_read_only", false);
        if (spec.scratch() != null) { // the second drive, /dev/vdb; found by its label in the guest all the same
            ObjectNode scratch = drives.addObject();
            scratch.put("drive_id", "scratch");
            scratch.put("path_on_host", inSandbox(spec, spec.scratch().file()));
            scratch.put("is_root_device", false);
            scratch.put("is_read_only", false);
        }
        ObjectNode machine = root.putObject("machine-config");
        machine.put("vcpu_count", spec.cpus());
        machine.put("mem_size_mib", spec.memoryMb());
        ObjectNode vsock = root.putObject("vsock");
        vsock.put("guest_cid", GUEST_CID);
        vsock.put("uds_path", inSandbox(spec, spec.agentSocket()));
        return root;
    }

    @Override
    public AgentTransport transport(VmSpec spec) {
        return new FirecrackerVsockTransport(spec.agentSocket(), FirecrackerVsockTransport.AGENT_PORT);
    }
}
