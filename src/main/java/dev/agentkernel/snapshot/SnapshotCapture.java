package dev.agentkernel.snapshot;

import dev.agentkernel.errors.VmException;
import dev.agentkernel.process.CommandRunner;
import dev.agentkernel.vm.QemuControl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.function.LongFunction;

/**
 * Saves a running QEMU VM into a snapshot directory: CPUs stopped (QEMU flushes the disk then), the disk layer
 * saved, the machine state streamed to a file, the CPUs continued (unless the VM is to stay stopped), the files
 * forced to disk and the header written; then the directory is renamed into place, so a snapshot is either
 * complete or absent. Any failure deletes the temporary directory and still continues the VM.
 */
public final class SnapshotCapture {
    private SnapshotCapture() {
    }

    /** How the VM's disk layer becomes the snapshot's disk. */
    @FunctionalInterface
    public interface DiskSaver {
        void save(Path vmDisk, Path snapshotDisk) throws IOException;

        /** A plain copy of the layer (its backing file stays what it was). */
        DiskSaver COPY = (from, to) -> Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES);

        /**
         * The whole chain above {@code rootfs} in one new layer over it, so the snapshot depends on nothing but
         * the cached rootfs ({@code -U}: the stopped VM still holds its image).
         */
        static DiskSaver flattenOnto(Path rootfs) {
            return (from, to) -> {
                CommandRunner.Result r = CommandRunner.run(List.of("qemu-img", "convert", "-U", "-f", "qcow2",
                        "-O", "qcow2", "-B", rootfs.toAbsolutePath().toString(), "-F", "raw", from.toString(),
                        to.toString()), Duration.ofMinutes(10));
                if (!r.succeeded()) {
                    throw new IOException("qemu-img convert failed: " + r.lastErrorLine());
                }
            };
        }
    }

    /**
     * Captures the VM behind {@code control} into {@code target} (which must not exist), its CPUs left running
     * when {@code resume}. {@code header} makes the header from the state's size.
     */
    public static SnapshotHeader capture(QemuControl control, Path vmDisk, DiskSaver diskSaver, Path target,
                                         LongFunction<SnapshotHeader> header, boolean resume) {
        return capture(control, vmDisk, diskSaver, target, header, resume, dir -> { });
    }

    /** Files a caller adds to the snapshot before it is committed. */
    @FunctionalInterface
    public interface Extra {
        void write(Path dir) throws IOException;
    }

    /** As above; {@code extra} writes more files into the snapshot's directory before it is committed. */
    public static SnapshotHeader capture(QemuControl control, Path vmDisk, DiskSaver diskSaver, Path target,
                                         LongFunction<SnapshotHeader> header, boolean resume, Extra extra) {
        return StagedSnapshot.commit(target, files -> {
            boolean stopped = false;
            try {
                control.stop();
                stopped = true;
                diskSaver.save(vmDisk, files.disk());
                control.saveState(files.state());
                if (resume) {
                    control.cont();
                    stopped = false;
                }
                StagedSnapshot.force(files.disk());
                StagedSnapshot.force(files.state());
                extra.write(files.dir());
                return header.apply(Files.size(files.state()));
            } finally {
                if (stopped && resume) {
                    try {
                        control.cont();
                    } catch (VmException e) {
                        // the first error is the one to report; the VM's monitor is still there to retry
                    }
                }
            }
        });
    }

    /** The first line of {@code qemu --version}, or "unknown". */
    public static String qemuVersion(Path program) {
        try {
            CommandRunner.Result r = CommandRunner.run(List.of(program.toString(), "--version"), Duration.ofSeconds(10));
            return r.succeeded() ? r.stdout().lines().findFirst().orElse("unknown").strip() : "unknown";
        } catch (RuntimeException e) {
            return "unknown";
        }
    }

    public static void deleteTree(Path dir) {
        StagedSnapshot.deleteTree(dir);
    }
}
