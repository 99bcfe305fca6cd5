package dev.agentkernel.layer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentkernel.image.Digest;
import dev.agentkernel.testing.RequiredTools;
import dev.agentkernel.testing.TestProcess;
import dev.agentkernel.testing.TreeSnapshot;
import dev.agentkernel.testing.Umoci;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real image, built by Podman (layers written by Go's archive/tar through containers/storage) with files
 * deleted, replaced and hard-linked in later steps, copied to an OCI layout by skopeo: our tree equals umoci's.
 */
@Tag("podman")
class PodmanImageUmociTest {
    @TempDir
    Path tmp;

    @Test
    void aPodmanBuiltImageFlattensLikeUmociUnpacksIt() throws Exception {
        Path podman = RequiredTools.require("podman");
        Path skopeo = RequiredTools.require("skopeo");
        RequiredTools.requireRoot();
        Path context = Files.createDirectories(tmp.resolve("context"));
        Files.copy(RequiredTools.require("busybox"), context.resolve("busybox"));
        Files.writeString(context.resolve("Dockerfile"), """
                FROM scratch
                COPY busybox /bin/busybox
                RUN ["/bin/busybox", "--install", "-s", "/bin"]
                RUN mkdir -p /etc/app /var/cache/app && echo AKIA-DELETED-SECRET > /etc/app/key \\
                 && echo kept > /etc/app/kept && ln /etc/app/kept /etc/app/hard && echo c > /var/cache/app/c \\
                 && ln -s /etc/app/kept /etc/app/abs-link && chmod 4755 /etc/app/kept && mkfifo /etc/app/fifo
                RUN rm /etc/app/key /etc/app/kept && rm -rf /var/cache/app && mkdir /var/cache/app \\
                 && echo new > /var/cache/app/n && rm /bin/ls && echo replaced > /etc/app/abs-link
                """);
        String tag = "localhost/agentkernel-test-layer-" + UUID.randomUUID().toString().substring(0, 8);
        try {
            TestProcess.run(List.of(podman.toString(), "build", "--layers", "-t", tag, context.toString()),
                    Duration.ofMinutes(3));
            Path layout = tmp.resolve("layout");
            TestProcess.run(List.of(skopeo.toString(), "copy", "--dest-compress-format", "gzip",
                    "containers-storage:" + tag, "oci:" + layout + ":t"), Duration.ofMinutes(2));

            List<LayerSource> layers = sources(layout);
            assertThat(layers).as("one layer per step, so deletions are whiteouts").hasSize(4);
            var ours = FlatTrees.flatten(layers);
            var theirs = TreeSnapshot.ofDirectory(Umoci.unpack(layout, "t", tmp.resolve("umoci")));
            assertThat(TreeSnapshot.differences(theirs, FlatTrees.comparable(ours.tree(), ours.snapshot()),
                    TreeSnapshot.Options.ALL)).isEmpty();
            assertThat(ours.get("etc/app/hard")).isInstanceOf(FlatEntry.RegularFile.class);
            assertThat(ours.content("etc/app/hard")).isEqualTo("kept\n");
            assertThat(ours.get("bin/ls")).isNull();
            assertThat(ours.sink().everSaw("AKIA-DELETED-SECRET".getBytes(StandardCharsets.UTF_8))).isFalse();
        } finally {
            TestProcess.runAllowingFailure(List.of(podman.toString(), "rmi", "-f", tag), Duration.ofMinutes(1));
        }
    }

    /** The layers of the single image in an OCI layout, from its index and manifest. */
    private static List<LayerSource> sources(Path layout) throws Exception {
        ObjectMapper json = new ObjectMapper();
        JsonNode index = json.readTree(layout.resolve("index.json").toFile());
        JsonNode manifest = json.readTree(blob(layout, index.get("manifests").get(0).get("digest").asText()).toFile());
        List<LayerSource> sources = new ArrayList<>();
        int number = 1;
        for (JsonNode layer : manifest.get("layers")) {
            Path blob = blob(layout, layer.get("digest").asText());
            sources.add(new LayerSource("layer " + number++, layer.get("mediaType").asText(),
                    () -> Files.newInputStream(blob)));
        }
        return sources;
    }

    private static Path blob(Path layout, String digest) {
        Digest d = Digest.parse(digest);
        return layout.resolve("blobs").resolve(d.algorithm()).resolve(d.hex());
    }
}
