package dev.agentkernel.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Mounts an ext4 image read-only through a loop device (root only); closing unmounts it. */
public final class LoopMount implements AutoCloseable {
    private final Path dir;

    private LoopMount(Path dir) {
        this.dir = dir;
    }

    public static LoopMount readOnly(Path image, Path parent) throws IOException, InterruptedException {
        RequiredTools.requireRoot();
        RequiredTools.require("mount");
        Path dir = Files.createTempDirectory(parent, "mnt");
        TestProcess.run(List.of("mount", "-o", "loop,ro", "-t", "ext4", image.toString(), dir.toString()),
                Duration.ofSeconds(60));
        return new LoopMount(dir);
    }

    public Path dir() {
        return dir;
    }

    @Override
    public void close() {
        try {
            TestProcess.run(List.of("umount", dir.toString()), Duration.ofSeconds(60));
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
