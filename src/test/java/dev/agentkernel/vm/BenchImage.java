package dev.agentkernel.vm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The benchmarks' image: busybox from the host, built by Podman (the baseline they compare against) and saved as
 * a docker archive in {@code work}; {@link #close} removes it from Podman's store.
 */
record BenchImage(String tag, Path archive) implements AutoCloseable {

    static BenchImage build(Path work, String name) throws IOException, InterruptedException {
        String tag = "localhost/" + name + ":" + ProcessHandle.current().pid();
        Path ctx = Files.createDirectories(work.resolve("ctx"));
        Files.copy(Path.of("/bin/busybox"), ctx.resolve("busybox"));
        Files.writeString(ctx.resolve("Containerfile"), "FROM scratch\nCOPY busybox /bin/busybox\n"
                + "RUN [\"/bin/busybox\",\"--install\",\"-s\",\"/bin\"]\n");
        BenchImage image = new BenchImage(tag, work.resolve("image.tar"));
        podman(List.of("build", "-q", "--network=none", "-t", tag, ctx.toString()));
        podman(List.of("save", "-q", "--format", "docker-archive", "-o", image.archive().toString(), tag));
        return image;
    }

    /** The source agentkernel reads the image from. */
    String source() {
        return "docker-archive:" + archive;
    }

    @Override
    public void close() {
        try {
            podman(List.of("rmi", "-f", tag));
        } catch (IOException | RuntimeException e) {
            System.err.println("could not remove the image " + tag + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void podman(List<String> args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("podman"));
        command.addAll(args);
        Process p = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException(command + " failed");
        }
    }
}
