package dev.agentkernel.rootfs;

import dev.agentkernel.process.CommandRunner;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Bytes a (sparse) file occupies on disk. The JDK does not expose {@code st_blocks}, so this asks coreutils'
 * {@code stat}; where that fails the apparent size is the honest upper bound.
 */
public final class DiskUsage {
    private DiskUsage() {
    }

    public static long of(Path file, long apparentSize) {
        try {
            CommandRunner.Result r = CommandRunner.run(List.of("stat", "-c", "%b %B", file.toString()),
                    Duration.ofSeconds(10));
            if (!r.succeeded()) {
                return apparentSize;
            }
            String[] parts = r.stdout().trim().split("\\s+");
            return Long.parseLong(parts[0]) * Long.parseLong(parts[1]);
        } catch (RuntimeException e) { // stat missing (ToolException), odd output: fall back
            return apparentSize;
        }
    }
}
