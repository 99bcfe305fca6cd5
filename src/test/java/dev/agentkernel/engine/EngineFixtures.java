package dev.agentkernel.engine;

import dev.agentkernel.testing.RequiredTools;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/** Build contexts made by the tests (busybox-static copied in, since no base image can be pulled here). */
public final class EngineFixtures {
    private EngineFixtures() {
    }

    /** A tag no other test run uses: {@code agentkernel-test-<random>}. */
    public static String uniqueTag(String what) {
        return "agentkernel-test-" + what + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A unique image name for {@code build -t} (the engine tag is {@code agentkernel-NAME}). */
    public static String uniqueName(String what) {
        return "test-" + what + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A context with {@code hello.txt} and a FROM scratch Dockerfile that copies it: no RUN step. */
    public static Path copyOnlyContext(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("hello.txt"), "hello from the context\n");
        Files.writeString(dir.resolve("Dockerfile"), """
                FROM scratch
                COPY hello.txt /hello.txt
                LABEL purpose=test
                """);
        return dir;
    }

    /**
     * A context with busybox and a Dockerfile whose RUN step writes {@code /greeting} from a build argument,
     * with two stages for {@code --target}.
     */
    public static Path runStepContext(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.copy(RequiredTools.require("busybox"), dir.resolve("busybox"));
        Files.writeString(dir.resolve("Dockerfile"), """
                FROM scratch AS tools
                COPY busybox /bin/busybox
                RUN ["/bin/busybox", "--install", "-s", "/bin"]
                ARG GREETING=none
                RUN echo "$GREETING" > /greeting
                LABEL stage=tools greeting=$GREETING

                FROM tools AS final
                LABEL stage=final
                """);
        return dir;
    }

    /** A context whose build fails in a RUN step. */
    public static Path failingContext(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.copy(RequiredTools.require("busybox"), dir.resolve("busybox"));
        Files.writeString(dir.resolve("Dockerfile"), """
                FROM scratch
                COPY busybox /bin/busybox
                RUN ["/bin/busybox", "sh", "-c", "echo this step fails >&2; exit 3"]
                """);
        return dir;
    }

    /** The regular files of all layers in a docker-archive, path to content (upper layers win). */
    public static Map<String, String> filesInDockerArchive(Path archive) throws IOException {
        Map<String, String> files = new HashMap<>();
        try (InputStream in = Files.newInputStream(archive); TarArchiveInputStream outer = new TarArchiveInputStream(in)) {
            for (TarArchiveEntry e; (e = outer.getNextEntry()) != null; ) {
                if (!e.isFile() || e.getName().endsWith(".json") || e.getSize() == 0) {
                    continue;
                }
                byte[] layer = outer.readAllBytes();
                try (TarArchiveInputStream inner = new TarArchiveInputStream(new ByteArrayInputStream(layer))) {
                    for (TarArchiveEntry f; (f = inner.getNextEntry()) != null; ) {
                        if (f.isFile() && f.getSize() < 4096) {
                            files.put(f.getName().replaceFirst("^\\./", ""),
                                    new String(inner.readAllBytes(), StandardCharsets.UTF_8));
                        }
                    }
                } catch (IOException notATar) {
                    // config blobs and the like
                }
            }
        }
        return files;
    }

    /** The names of the entries of a tar file. */
    public static java.util.Set<String> tarEntryNames(Path archive) throws IOException {
        java.util.Set<String> names = new java.util.TreeSet<>();
        try (InputStream in = Files.newInputStream(archive); TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                names.add(e.getName());
            }
        }
        return names;
    }
}
