package dev.agentkernel.layer;

import dev.agentkernel.errors.ImageException;
import dev.agentkernel.testing.OciLayoutWriter;
import dev.agentkernel.testing.TarLayerBuilder;
import dev.agentkernel.testing.TreeSnapshot;
import dev.agentkernel.testing.Umoci;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.Tag;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Random stacks of small layers over a tiny namespace, flattened by us and by umoci: the trees must agree. */
@Tag("umoci")
class RandomStacksUmociProperties {
    private static final List<String> NAMES = List.of("a", "b", "c");

    /** One tar entry to write. */
    record Op(String kind, String path, String arg) {
        void addTo(TarLayerBuilder b) {
            switch (kind) {
                case "file" -> b.file(path, arg);
                case "dir" -> {
                    b.dir(path, 0700 + arg.length());
                    if (arg.length() % 2 == 0) { // half the directories carry an xattr, to see it replaced
                        b.xattr("user.tag", arg);
                    }
                }
                case "symlink" -> b.symlink(path, arg);
                case "hardlink" -> b.hardlink(path, arg);
                case "whiteout" -> b.whiteout(path);
                case "opaque" -> b.opaque(path);
                default -> throw new IllegalArgumentException(kind);
            }
        }
    }

    @Property(tries = 40, shrinking = ShrinkingMode.BOUNDED)
    void flatteningAgreesWithUmoci(@ForAll("stacks") List<List<Op>> stack) throws Exception {
        Path tmp = Files.createTempDirectory("random-stack");
        try {
            List<OciLayoutWriter.Layer> layers = new ArrayList<>();
            for (List<Op> ops : stack) {
                TarLayerBuilder b = new TarLayerBuilder();
                ops.forEach(op -> op.addTo(b));
                layers.add(OciLayoutWriter.Layer.gzip(b.tar()));
            }
            OciLayoutWriter.Written image = OciLayoutWriter.write(tmp.resolve("layout"), "t", layers);
            Path rootfs;
            try {
                rootfs = Umoci.unpack(image.dir(), "t", tmp.resolve("umoci"));
            } catch (AssertionError umociFailed) { // e.g. an entry inside a file: we must refuse it too
                assertThatThrownBy(() -> FlatTrees.flatten(FlatTrees.sources(image, layers)))
                        .as("umoci failed with " + umociFailed.getMessage()).isInstanceOf(ImageException.class);
                Statistics.collect("both refuse the image");
                return;
            }
            Statistics.collect("trees compared");
            var ours = FlatTrees.flatten(FlatTrees.sources(image, layers));
            Map<String, TreeSnapshot.Entry> theirs = TreeSnapshot.ofDirectory(rootfs);
            // directory mtimes aside: umoci leaves a directory's mtime at unpacking time when it creates an
            // implied subdirectory in it (the explicit cases check directory mtimes)
            assertThat(TreeSnapshot.differences(theirs, FlatTrees.comparable(ours.tree(), ours.snapshot()),
                    new TreeSnapshot.Options(false, true, List.of()))).as("differences from umoci for " + stack).isEmpty();
        } finally {
            deleteTree(tmp);
        }
    }

    @Provide
    Arbitrary<List<List<Op>>> stacks() {
        return layer().list().ofMinSize(1).ofMaxSize(3);
    }

    private Arbitrary<List<Op>> layer() {
        return op().list().ofMinSize(1).ofMaxSize(8).map(RandomStacksUmociProperties::linkOnlyToEarlierFiles);
    }

    private Arbitrary<String> path() {
        return Arbitraries.of(NAMES).list().ofMinSize(1).ofMaxSize(3).map(parts -> String.join("/", parts));
    }

    private Arbitrary<Op> op() {
        Arbitrary<String> kind = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(30, Arbitraries.just("file")),
                net.jqwik.api.Tuple.of(20, Arbitraries.just("dir")),
                net.jqwik.api.Tuple.of(12, Arbitraries.just("symlink")),
                net.jqwik.api.Tuple.of(10, Arbitraries.just("hardlink")),
                net.jqwik.api.Tuple.of(18, Arbitraries.just("whiteout")),
                net.jqwik.api.Tuple.of(10, Arbitraries.just("opaque")));
        Arbitrary<String> symlinkTarget = Arbitraries.oneOf(path(), path().map(p -> "/" + p),
                path().map(p -> "../" + p), Arbitraries.just("missing"));
        return Combinators.combine(kind, path(), symlinkTarget, Arbitraries.strings().alpha().ofMaxLength(3))
                .as((k, p, target, text) -> new Op(k, p, switch (k) {
                    case "symlink" -> target;
                    case "hardlink" -> text.isEmpty() ? "" : target.replace("../", "").replaceFirst("^/", "");
                    case "file", "dir" -> "content of " + p + " " + text;
                    default -> "";
                }));
    }

    /**
     * Some hard links name any path (across layers, symlinks, nothing); the others a regular file written
     * earlier in the same layer (and still one), or become files.
     */
    private static List<Op> linkOnlyToEarlierFiles(List<Op> ops) {
        List<Op> out = new ArrayList<>();
        List<String> files = new ArrayList<>();
        for (Op op : ops) {
            if (op.kind().equals("hardlink") && !op.arg().isEmpty()) {
                // a link to any path: across layers, to symlinks, to nothing (then both must fail)
            } else if (op.kind().equals("hardlink")) {
                String link = op.path();
                List<String> targets = files.stream() // a link replacing its target's directory is not tested
                        .filter(f -> !f.equals(link) && !f.startsWith(link + "/")).toList();
                op = targets.isEmpty() ? new Op("file", link, "instead of a link")
                        : new Op("hardlink", link, targets.get(link.length() % targets.size()));
            }
            String path = op.path();
            files.removeIf(f -> f.equals(path) || f.startsWith(path + "/") || path.startsWith(f + "/"));
            if (op.kind().equals("file")) {
                files.add(path);
            }
            out.add(op);
        }
        return out;
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
