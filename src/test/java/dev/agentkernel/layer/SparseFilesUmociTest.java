package dev.agentkernel.layer;

import dev.agentkernel.testing.OciLayoutWriter;
import dev.agentkernel.testing.OciLayoutWriter.Layer;
import dev.agentkernel.testing.RequiredTools;
import dev.agentkernel.testing.TestProcess;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Sparse files in every form GNU tar writes them, read back and compared with umoci. */
@Tag("umoci")
class SparseFilesUmociTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"gnu", "posix-0.0", "posix-0.1", "posix-1.0"})
    void sparseFilesHaveTheirHolesFilledWithZeros(String variant) throws Exception {
        Path src = Files.createDirectory(tmp.resolve("src"));
        try (RandomAccessFile f = new RandomAccessFile(src.resolve("sparse").toFile(), "rw")) {
            f.setLength(3 << 20);
            f.seek(100_000);
            f.write("middle".getBytes(StandardCharsets.UTF_8));
            f.seek((3 << 20) - 5);
            f.write("end".getBytes(StandardCharsets.UTF_8));
        }
        try (RandomAccessFile f = new RandomAccessFile(src.resolve("hole-at-end").toFile(), "rw")) {
            f.write("start".getBytes(StandardCharsets.UTF_8));
            f.setLength(1 << 20);
        }
        try (RandomAccessFile f = new RandomAccessFile(src.resolve("many-holes").toFile(), "rw")) {
            for (int i = 0; i < 40; i++) { // more segments than an old GNU header holds: extension blocks
                f.seek(i * 65536L);
                f.write(("segment " + i).getBytes(StandardCharsets.UTF_8));
            }
            f.setLength(41 * 65536L);
        }
        Path tar = tmp.resolve("layer.tar");
        List<String> command = new ArrayList<>(List.of(RequiredTools.require("tar").toString(), "--sparse",
                "--owner=0", "--group=0", "--numeric-owner", "-C", src.toString(), "-cf", tar.toString()));
        if (variant.equals("gnu")) {
            command.add("--format=gnu");
        } else {
            command.addAll(List.of("--format=posix", "--sparse-version=" + variant.substring("posix-".length())));
        }
        command.addAll(List.of("sparse", "hole-at-end", "many-holes"));
        TestProcess.run(command, Duration.ofSeconds(30));

        assertThat(Files.size(tar)).as("tar wrote the files sparse").isLessThan(1 << 20);
        List<Layer> layers = List.of(Layer.gzip(Files.readAllBytes(tar)));
        // umoci (Go's archive/tar) reads PAX sparse files but not the old GNU 'S' entries
        var ours = variant.equals("gnu")
                ? FlatTrees.flatten(FlatTrees.sources(OciLayoutWriter.write(tmp.resolve("layout"), "t", layers), layers))
                : FlatTrees.assertSameAsUmoci(tmp, layers);
        for (String name : List.of("sparse", "hole-at-end", "many-holes")) {
            FlatEntry.RegularFile file = (FlatEntry.RegularFile) ours.get(name);
            assertThat(((MemorySink.Ref) file.content()).bytes).as(name).isEqualTo(Files.readAllBytes(src.resolve(name)));
        }
    }
}
