package dev.agentkernel.ext4;

import dev.agentkernel.testing.RequiredTools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A loop device plus a mount of a test image; closing unmounts and detaches, whatever happened. */
final class MountedImage implements AutoCloseable {
    private final String loopDevice;
    private final Path mountPoint;
    private boolean mounted;

    private MountedImage(String loopDevice, Path mountPoint) {
        this.loopDevice = loopDevice;
        this.mountPoint = mountPoint;
    }

    static MountedImage mount(Path image, Path mountPoint, boolean readOnly) throws IOException {
        RequiredTools.requireRoot();
        Path losetup = RequiredTools.require("losetup");
        Path mount = RequiredTools.require("mount");
        Files.createDirectories(mountPoint);
        List<String> attach = readOnly
                ? List.of(losetup.toString(), "--find", "--show", "--read-only", image.toString())
                : List.of(losetup.toString(), "--find", "--show", image.toString());
        Tools.Result r = Tools.run(attach, 60);
        if (r.exitCode() != 0) {
            throw new AssertionError("losetup failed: " + r.all());
        }
        MountedImage m = new MountedImage(r.stdout().trim(), mountPoint);
        try {
            Tools.Result mr = Tools.run(List.of(mount.toString(), "-t", "ext4", "-o", readOnly ? "ro" : "rw",
                    m.loopDevice, mountPoint.toString()), 60);
            if (mr.exitCode() != 0) {
                throw new AssertionError("mount failed: " + mr.all());
            }
            m.mounted = true;
            return m;
        } catch (RuntimeException | Error e) {
            m.close();
            throw e;
        }
    }

    Path root() {
        return mountPoint;
    }

    @Override
    public void close() {
        try {
            if (mounted) {
                Tools.Result r = Tools.run(List.of(RequiredTools.require("umount").toString(),
                        mountPoint.toString()), 120);
                if (r.exitCode() != 0) {
                    throw new AssertionError("umount failed: " + r.all());
                }
                mounted = false;
            }
        } finally {
            Tools.run(List.of(RequiredTools.require("losetup").toString(), "-d", loopDevice), 60);
        }
    }
}
