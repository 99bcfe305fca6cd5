package dev.agentkernel.cli;

import dev.agentkernel.errors.AgentkernelException;
import dev.agentkernel.process.Executables;
import dev.agentkernel.store.AgentkernelHome;
import dev.agentkernel.vm.Backend;
import dev.agentkernel.vm.Driver;
import dev.agentkernel.vm.Kernel;
import dev.agentkernel.vm.KernelInspector;
import dev.agentkernel.vm.KernelLocator;
import dev.agentkernel.vm.KernelReport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What {@code agentkernel doctor} looks at, each check a {@link Finding}: the kernel and its drivers, the
 * monitors, the accelerator, the network, the container engines, and the data directory's permissions and free
 * space. It reads only: nothing is built, booted or written (except a probe file in the data directory and the
 * network probe's temporary directory, deleted again).
 */
final class DoctorChecks {
    enum Level { OK, WARNING, ERROR }

    /** One line of the report: what was checked, how it stands, and what to do when it is not ok. */
    record Finding(Level level, String subject, String detail) {
    }

    /** Free space below which a conversion of an ordinary image may not fit. */
    static final long LOW_SPACE = 2L << 30;

    private final AgentkernelHome home;
    private final KernelLocator kernels;
    private final Map<String, String> env;

    DoctorChecks(AgentkernelHome home, KernelLocator kernels, Map<String, String> env) {
        this.home = home;
        this.kernels = kernels;
        this.env = env;
    }

    List<Finding> run() {
        List<Finding> findings = new ArrayList<>();
        kernel(findings);
        monitors(findings);
        accelerator(findings);
        network(findings);
        engines(findings);
        dataDirectory(findings);
        return findings;
    }

    private void kernel(List<Finding> out) {
        Kernel kernel;
        try {
            kernel = kernels.locate(null);
        } catch (AgentkernelException e) {
            out.add(new Finding(Level.ERROR, "kernel", e.getMessage()));
            return;
        }
        out.add(new Finding(Level.OK, "kernel", kernel.image() + " (" + kernel.release() + ")"));
        KernelReport report;
        try {
            report = KernelInspector.inspect(kernel);
        } catch (AgentkernelException e) {
            out.add(new Finding(Level.WARNING, "kernel drivers", "cannot inspect them: " + e.getMessage()));
            return;
        }
        for (Driver d : Driver.values()) {
            Driver.Presence p = report.presence(d);
            Level level = p == Driver.Presence.MISSING
                    ? (d == Driver.VSOCK || d == Driver.VIRTIO_CONSOLE || d == Driver.VIRTIO_NET ? Level.WARNING : Level.ERROR)
                    : p == Driver.Presence.UNKNOWN ? Level.WARNING : Level.OK;
            String detail = switch (p) {
                case BUILT_IN -> "built in";
                case MODULE -> "module (loaded by the initramfs 'agentkernel setup' builds)";
                case MISSING -> "missing: needed for " + d.purpose() + "; use a kernel with " + d.configSymbol()
                        + " (Debian: linux-image-cloud-amd64)";
                case UNKNOWN -> "unknown (no kernel config found to check " + d.configSymbol() + ")";
            };
            out.add(new Finding(level, "driver " + d.moduleName(), detail));
        }
        for (String problem : report.problems()) {
            out.add(new Finding(Level.ERROR, "kernel", "cannot boot a sandbox: missing " + problem));
        }
    }

    private void monitors(List<Finding> out) {
        boolean any = false;
        for (Backend b : Backend.values()) {
            var found = b.find(env);
            any |= found.isPresent();
            out.add(new Finding(found.isPresent() ? Level.OK : Level.WARNING, "monitor " + b.cliName(),
                    found.map(Path::toString).orElse("not installed")));
        }
        if (!any) {
            out.add(new Finding(Level.ERROR, "monitor", "no microVM monitor: install qemu-system-x86 (or Firecracker)"));
        }
    }

    private void accelerator(List<Finding> out) {
        Path kvm = Path.of("/dev/kvm");
        if (!Files.exists(kvm)) {
            out.add(new Finding(Level.WARNING, "accelerator", "no /dev/kvm: sandboxes run under TCG emulation (slow);"
                    + " enable KVM (nested virtualisation on a VM) for full speed"));
        } else if (!Files.isReadable(kvm) || !Files.isWritable(kvm)) {
            out.add(new Finding(Level.WARNING, "accelerator", "/dev/kvm is not read-writable by this user: add it to"
                    + " the kvm group; until then TCG emulation (slow)"));
        } else {
            out.add(new Finding(Level.OK, "accelerator", "/dev/kvm (whether KVM really works is probed by"
                    + " 'agentkernel setup')"));
        }
    }

    /** The default network needs QEMU to load the policy library that keeps the host's loopback out of reach. */
    private void network(List<Finding> out) {
        Backend.QEMU.find(env).ifPresent(qemu -> out.add(dev.agentkernel.net.Networking.policyProblem(qemu)
                .map(problem -> new Finding(Level.ERROR, "network", problem))
                .orElse(new Finding(Level.OK, "network", "QEMU user network with the loopback policy (default),"
                        + " allowlist proxy, published ports"))));
    }

    private void engines(List<Finding> out) {
        String path = env.getOrDefault("PATH", "");
        List<String> found = new ArrayList<>();
        for (String engine : List.of("docker", "podman", "buildah")) {
            Executables.find(path, engine).ifPresent(p -> found.add(engine + " (" + p + ")"));
        }
        out.add(found.isEmpty()
                ? new Finding(Level.WARNING, "engines", "none of docker, podman, buildah: 'build' and docker-daemon:"
                        + " sources need one (pull, rootfs and run of registry images do not)")
                : new Finding(Level.OK, "engines", String.join(", ", found)));
    }

    private void dataDirectory(List<Finding> out) {
        Path root = home.root();
        Path existing = root;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            out.add(new Finding(Level.ERROR, "data directory", root + ": no part of the path exists"));
            return;
        }
        if (!Files.isDirectory(existing)) {
            out.add(new Finding(Level.ERROR, "data directory", existing + " is not a directory; set AGENTKERNEL_HOME"
                    + " to another place"));
            return;
        }
        if (!Files.isWritable(existing)) {
            out.add(new Finding(Level.ERROR, "data directory", existing + " is not writable by this user: fix its"
                    + " permissions or set AGENTKERNEL_HOME"));
            return;
        }
        if (existing.equals(root)) {
            try {
                Path probe = Files.createTempFile(root, ".doctor-", ".tmp");
                Files.delete(probe);
            } catch (IOException e) {
                out.add(new Finding(Level.ERROR, "data directory", "cannot create a file in " + root + ": "
                        + e.getMessage()));
                return;
            }
        }
        out.add(new Finding(Level.OK, "data directory", root + (existing.equals(root) ? "" : " (created on first use)")));
        try {
            long usable = Files.getFileStore(existing).getUsableSpace();
            out.add(new Finding(usable < LOW_SPACE ? Level.WARNING : Level.OK, "disk space",
                    HumanSize.format(usable) + " free for " + root + (usable < LOW_SPACE
                            ? ": images and root filesystems may not fit; free space or move AGENTKERNEL_HOME" : "")));
        } catch (IOException e) {
            out.add(new Finding(Level.WARNING, "disk space", "cannot tell: " + e.getMessage()));
        }
    }
}
