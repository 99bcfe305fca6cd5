package dev.agentkernel.vm;

import dev.agentkernel.errors.VmException;
import dev.agentkernel.process.CommandRunner;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Gives a sandbox its own writable disk: a reflink copy where the file system shares blocks (btrfs, xfs),
 * else a sparse copy that skips the holes. Either way the cached rootfs is only read.
 */
public final class DiskCopy {
    private DiskCopy() {
    }

    public static void copy(Path source, Path target) {
        CommandRunner.Result r = CommandRunner.run(List.of("cp", "--reflink=auto", "--sparse=always", "--",
                source.toString(), target.toString()), Duration.ofMinutes(10));
        if (r.exitCode() != 0) {
            throw new VmException("cannot copy the root file system " + source + " for the sandbox: " + r.lastErrorLine());
        }
    }
}
