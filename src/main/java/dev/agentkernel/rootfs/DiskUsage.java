package dev.agentkernel.rootfs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Bytes a (sparse) file occupies on disk. The JDK does not expose {@code st_blocks}, so this asks coreutils'
 * {@code stat}; where that fails the apparent size is the honest upper bound.
 */
final class DiskUsage {
    private DiskUsage() {
    }

    static long of(Path file, long apparentSize) {
        Process p = null;
        try {
            p = new ProcessBuilder(List.of("stat", "-c", "%b %B", file.toString()))
                    .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            byte[] out = p.getInputStream().readNBytes(256);
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return apparentSize;
            }
            String[] parts = new String(out, StandardCharsets.US_ASCII).trim().split("\\s+");
            return Long.parseLong(parts[0]) * Long.parseLong(parts[1]);
        } catch (IOException | RuntimeException e) {
            return apparentSize;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return apparentSize;
        } finally {
            if (p != null) {
                p.destroyForcibly();
            }
        }
    }
}
