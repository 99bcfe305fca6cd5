package dev.agentkernel.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Builds small real images with Podman ({@code FROM scratch} + static busybox, as no base image can be pulled
 * here) and exports them the ways users do: {@code podman save} (docker-archive) and {@code skopeo copy} (oci:,
 * oci-archive:). Each build gets a unique tag, removed by {@link #close()}.
 */
public final class BusyboxImages implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private final Path workDir;
    private final List<String> tags = new ArrayList<>();

    public BusyboxImages(Path workDir) {
        this.workDir = workDir;
        RequiredTools.requireRoot();
        RequiredTools.require("podman");
        RequiredTools.require("skopeo");
    }

    /** Builds an image whose Containerfile is busybox plus {@code extraInstructions}; returns its tag. */
    public String build(String... extraInstructions) {
        return buildWith("FROM scratch\nCOPY busybox /bin/busybox\n"
                + "RUN [\"/bin/busybox\",\"--install\",\"-s\",\"/bin\"]\n", extraInstructions);
    }

    /**
     * Builds an image {@code FROM baseTag} plus {@code extraInstructions}, so it shares every layer of the base
     * whatever the state of the engine's build cache; returns its tag.
     */
    public String buildFrom(String baseTag, String... extraInstructions) {
        return buildWith("FROM " + baseTag + "\n", extraInstructions);
    }

    private String buildWith(String head, String... extraInstructions) {
        String tag = "localhost/agentkernel-test-" + UUID.randomUUID().toString().substring(0, 8) + ":1";
        try {
            Path ctx = Files.createTempDirectory(workDir, "ctx");
            Path busybox = Files.exists(Path.of("/bin/busybox")) ? Path.of("/bin/busybox") : RequiredTools.require("busybox");
            Files.copy(busybox, ctx.resolve("busybox"));
            StringBuilder file = new StringBuilder(head);
            for (String line : extraInstructions) {
                file.append(line).append('\n');
            }
            Files.writeString(ctx.resolve("Containerfile"), file);
            run(List.of("podman", "build", "-q", "--network=none", "-t", tag, ctx.toString()));
            tags.add(tag);
            return tag;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code podman save} (docker-archive format). */
    public Path saveDockerArchive(String tag) {
        Path out = workDir.resolve("docker-" + UUID.randomUUID() + ".tar");
        run(List.of("podman", "save", "-q", "--format", "docker-archive", "-o", out.toString(), tag));
        return out;
    }

    /** {@code skopeo copy} into an OCI layout directory, under ref name {@code ref}. */
    public Path copyToOciLayout(String tag, String ref) {
        Path out = workDir.resolve("oci-" + UUID.randomUUID());
        run(List.of("skopeo", "copy", "-q", "containers-storage:" + tag, "oci:" + out + ":" + ref));
        return out;
    }

    /** {@code skopeo copy} into an OCI archive, under ref name {@code ref}. */
    public Path copyToOciArchive(String tag, String ref) {
        Path out = workDir.resolve("oci-archive-" + UUID.randomUUID() + ".tar");
        run(List.of("skopeo", "copy", "-q", "containers-storage:" + tag, "oci-archive:" + out + ":" + ref));
        return out;
    }

    private static void run(List<String> command) {
        try {
            TestProcess.run(command, TIMEOUT);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    @Override
    public void close() {
        for (String tag : tags) {
            try {
                TestProcess.runAllowingFailure(List.of("podman", "rmi", "-f", tag), TIMEOUT);
            } catch (IOException | InterruptedException ignored) {
                // best effort: a leftover test tag is harmless
            }
        }
        tags.clear();
    }
}
