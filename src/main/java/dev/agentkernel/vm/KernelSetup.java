package dev.agentkernel.vm;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.agentkernel.errors.VmException;
import dev.agentkernel.image.Digest;
import dev.agentkernel.store.AgentkernelHome;
import dev.agentkernel.store.AtomicFiles;
import dev.agentkernel.store.FileLocks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code agentkernel setup}: finds the kernel, checks its drivers, builds the initramfs for modular drivers
 * and finds out whether KVM works. Results live under {@code kernels/<key>/} (the key covers the kernel, its
 * modules and the stage-one init, so a kernel update gets a new entry) and {@code kernels/accelerator.json}.
 */
public final class KernelSetup {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final AgentkernelHome home;
    private final KernelLocator locator;
    private final Path qemu;

    public KernelSetup(AgentkernelHome home, KernelLocator locator, Path qemu) {
        this.home = home;
        this.locator = locator;
        this.qemu = qemu;
    }

    /** What {@code kernels/<key>/setup.json} holds. */
    public record SetupRecord(String kernel, String release, String initramfs, Map<String, String> drivers,
                              List<String> modules) {
    }

    /**
     * Prepares the kernel ({@code explicit} may be null), reusing an earlier result for the same kernel.
     * {@code accelerator} null means: probe once and remember.
     */
    public PreparedKernel prepare(Path explicit, Accelerator accelerator) {
        Kernel kernel = locator.locate(explicit);
        KernelReport report = KernelInspector.inspect(kernel);
        List<String> problems = report.problems();
        if (!problems.isEmpty()) {
            throw new VmException("kernel " + kernel.image() + " cannot boot sandboxes: it lacks "
                    + String.join("; ", problems) + ". Pass --kernel with a kernel that has them, built in or as modules");
        }
        Path initramfs = null;
        if (report.needsInitramfs()) {
            byte[] init = InitramfsWriter.stageOneInit();
            Path dir = home.kernels();
            try {
                dir = dir.resolve(key(kernel, report, init));
                initramfs = dir.resolve("initramfs.cpio");
                Files.createDirectories(dir);
                try (FileLocks.Held lock = FileLocks.exclusive(dir.resolve(".lock"))) {
                    if (!Files.isRegularFile(initramfs)) {
                        List<Path> modules = report.modulesToLoad();
                        Path target = initramfs;
                        AtomicFiles.write(target, out -> InitramfsWriter.write(modules, init, out));
                        AtomicFiles.write(dir.resolve("setup.json"), JSON.writeValueAsBytes(record(kernel, report, target)));
                    }
                }
            } catch (IOException e) {
                throw new VmException("cannot write the initramfs in " + dir + ": " + e.getMessage(), e);
            }
        }
        Accelerator accel = accelerator != null ? accelerator : accelerator(kernel);
        return new PreparedKernel(kernel.image(), initramfs, report, accel);
    }

    /** The remembered probe result, probing on first use. */
    private Accelerator accelerator(Kernel kernel) {
        Path file = home.kernels().resolve("accelerator.json");
        try {
            Files.createDirectories(home.kernels());
            try (FileLocks.Held lock = FileLocks.exclusive(home.kernels().resolve(".accelerator.lock"))) {
                if (Files.isRegularFile(file)) {
                    Map<?, ?> stored = JSON.readValue(file.toFile(), Map.class);
                    Object value = stored.get("accelerator");
                    if (value instanceof String s) {
                        return Accelerator.parse(s);
                    }
                }
                Accelerator found = AcceleratorProbe.probe(qemu, kernel.image(), home.tmp());
                AtomicFiles.write(file, JSON.writeValueAsBytes(Map.of("accelerator", found.qemuName())));
                return found;
            }
        } catch (IOException e) {
            throw new VmException("cannot record the accelerator in " + file + ": " + e.getMessage(), e);
        }
    }

    private static SetupRecord record(Kernel kernel, KernelReport report, Path initramfs) {
        Map<String, String> drivers = new LinkedHashMap<>();
        for (Driver d : Driver.values()) {
            drivers.put(d.moduleName(), report.presence(d).name().toLowerCase());
        }
        List<String> modules = new ArrayList<>();
        report.modulesToLoad().forEach(p -> modules.add(p.toString()));
        return new SetupRecord(kernel.image().toString(), kernel.release(), initramfs == null ? null : initramfs.toString(),
                drivers, modules);
    }

    private static String key(Kernel kernel, KernelReport report, byte[] init) throws IOException {
        StringBuilder identity = new StringBuilder();
        identity.append(kernel.image()).append('\n').append(fileStamp(kernel.image())).append('\n');
        for (Path module : report.modulesToLoad()) {
            identity.append(module).append(' ').append(fileStamp(module)).append('\n');
        }
        identity.append(Digest.sha256(init));
        String release = kernel.release() != null ? kernel.release() : "kernel";
        return release + "-" + Digest.sha256(identity.toString().getBytes(StandardCharsets.UTF_8)).hex().substring(0, 12);
    }

    private static String fileStamp(Path file) throws IOException {
        return Files.size(file) + "@" + Files.getLastModifiedTime(file).toMillis();
    }
}
