package dev.agentkernel.vm;

import dev.agentkernel.agent.AgentPortLayout;
import dev.agentkernel.agent.AgentTransport;
import dev.agentkernel.agent.VirtioSerialTransport;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * QEMU's {@code microvm} machine: virtio-mmio devices like Firecracker's, a virtio-blk root disk, the agent
 * on a virtio-serial port named {@code agent} behind a chardev Unix socket (no vhost-vsock needed), the
 * serial console into a log file. {@code -no-reboot} with {@code panic=-1} makes a panicking or powered-off
 * guest end the QEMU process.
 */
public final class QemuMonitor implements Monitor {
    private final Path program;

    public QemuMonitor(Path program) {
        this.program = program;
    }

    @Override
    public List<String> command(VmSpec spec) {
        PreparedKernel kernel = spec.kernel();
        List<String> argv = new ArrayList<>(List.of(program.toString(),
                "-M", "microvm", "-accel", kernel.accelerator().qemuName(),
                "-m", Integer.toString(spec.memoryMb()), "-smp", Integer.toString(spec.cpus()),
                // QEMU's default CPU lacks ARAT (an APIC timer that runs in deep idle), and microvm has no HPET to
                // stand in for it, so the guest kept a periodic 250 Hz tick: no high-resolution timers, no idle
                // without ticks. With it an idle sandbox takes half the host CPU it did (20 vs 44-54 ms a second).
                "-cpu", "qemu64,+arat",
                "-nodefaults", "-no-user-config", "-nographic", "-no-reboot", "-display", "none",
                "-kernel", kernel.kernel().toString()));
        if (kernel.initramfs() != null) {
            argv.addAll(List.of("-initrd", kernel.initramfs().toString()));
        }
        argv.addAll(List.of("-append", KernelCommandLine.build(spec, List.of()),
                "-serial", "file:" + spec.consoleLog(),
                "-drive", drive(spec),
                "-device", "virtio-blk-device,drive=root"));
        if (spec.scratch() != null) {
            argv.addAll(scratch(spec.scratch()));
        }
        argv.addAll(List.of(
                // port numbers start at 1 (0 is the console's), so N ports need max_ports N + 1
                "-device", "virtio-serial-device,max_ports=" + (spec.agentPorts() + 1)));
        argv.addAll(control(spec));
        for (int i = 0; i < spec.agentPorts(); i++) {
            String port = AgentPortLayout.portName(i);
            argv.addAll(List.of(
                    "-chardev", "socket,id=" + port + ",path=" + AgentPortLayout.socket(spec.sandboxDir(), i)
                            + ",server=on,wait=off",
                    "-device", "virtserialport,chardev=" + port + ",name=" + port));
        }
        return argv;
    }

    /**
     * QMP on {@code qmp.sock} (pause, resume, snapshots). The machine's run state is left out of a saved stream,
     * so a VM restored from one starts running as soon as it is loaded, whether it was saved stopped or not.
     */
    private static List<String> control(VmSpec spec) {
        return List.of("-qmp", "unix:" + spec.qmpSocket() + ",server=on,wait=off",
                "-global", "migration.store-global-state=off");
    }

    /**
     * The arguments that make a VM load {@code state} instead of booting. The rest of its command must be that of
     * the VM that saved it (the same machine, devices and sizes; only the sandbox's paths may differ).
     */
    public static List<String> incoming(Path state) {
        String path = state.toAbsolutePath().toString();
        if (path.contains("'")) {
            throw new IllegalArgumentException("a state file path without quotes is needed: " + path);
        }
        return List.of("-incoming", "exec:cat '" + path + "'");
    }

    /**
     * The root disk. A one-shot raw copy is thrown away afterwards, so nothing needs to reach the disk
     * (cache=unsafe); a persistent overlay must keep what the guest flushed, even if the monitor is killed.
     */
    private static String drive(VmSpec spec) {
        return spec.diskFormat() == VmSpec.DiskFormat.RAW
                ? "id=root,file=" + spec.disk() + ",format=raw,if=none,cache=unsafe"
                : "id=root,file=" + spec.disk() + ",format=qcow2,if=none,cache=writeback,discard=unmap";
    }

    /**
     * The scratch drive, after the root one (so the root stays {@code /dev/vda}). Thrown away with the sandbox, so
     * cache=unsafe. Its size is on the command line, and so in a boot snapshot's fingerprint: a snapshot is only
     * restored with a scratch drive of the size the saved guest probed.
     */
    private static List<String> scratch(VmSpec.ScratchDrive drive) {
        String file = drive.file().toString();
        if (file.contains(",")) {
            throw new IllegalArgumentException("a scratch disk path without commas is needed: " + file);
        }
        return List.of("-drive", "id=scratch,file=" + file + ",format=raw,size=" + drive.bytes()
                        + ",if=none,cache=unsafe",
                "-device", "virtio-blk-device,drive=scratch");
    }

    @Override
    public AgentTransport transport(VmSpec spec) {
        return new VirtioSerialTransport(spec.agentSocket());
    }
}
