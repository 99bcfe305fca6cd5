package dev.agentkernel.ext4;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random trees through the three checks: e2fsck -fn clean, debugfs agrees on every inode's link count and the
 * kernel's view of the mounted image equals the input (hard-link groups and xattrs included).
 */
class Ext4WriterPropertyTest {
    private static final Timestamp DEFAULT = Timestamp.ofSeconds(1_234_567_890L);
    private static final String[] NAME_PARTS = {"a", "bin", "etc", "lib64", "é", "日本", "x y", "-", ".hidden",
            "UPPER", "with.dots", "n"};

    @Property(tries = 12, seed = "20261123")
    void randomTreesAreCleanAndReadBackExactly(@ForAll @LongRange(min = 1) long seed,
                                               @ForAll @IntRange(min = 1, max = 400) int entries) throws IOException {
        TreeModel model = randomTree(new Random(seed), entries);
        Path dir = Files.createTempDirectory("ext4-prop");
        try {
            Path image = dir.resolve("t.img");
            model.write(image, Ext4Options.builder().seed(Long.toString(seed).getBytes())
                    .defaultTimestamp(DEFAULT).journal(seed % 3 != 0).freeBytes(seed % 2 * (1 << 20)).build());
            Tools.assertFsckClean(image);
            assertDebugfsAgrees(image, model.expectedWalk(DEFAULT));
            try (MountedImage m = MountedImage.mount(image, dir.resolve("mnt"), true)) {
                MountWalk.assertSame(MountWalk.walk(m.root()), model.expectedWalk(DEFAULT));
                assertThat(MountWalk.hardLinkGroups(m.root())).isEqualTo(model.hardLinkGroups());
            }
        } finally {
            deleteTree(dir);
        }
    }

    /** debugfs (e2fsprogs' own reader) reports the same mode and link count as the model predicts. */
    private static void assertDebugfsAgrees(Path image, Map<String, String> expected) {
        List<String> paths = new ArrayList<>(expected.keySet());
        List<String> requests = paths.stream().map(p -> "stat \"/" + p + "\"").toList();
        List<String> outputs = Tools.debugfsBatch(image, requests);
        assertThat(outputs).hasSize(paths.size());
        for (int i = 0; i < paths.size(); i++) {
            String want = expected.get(paths.get(i));
            String mode = want.replaceAll(".* mode=([0-7]+) .*", "$1");
            String links = want.replaceAll(".* nlink=(\\d+) .*", "$1");
            assertThat(outputs.get(i)).as(paths.get(i))
                    .containsPattern("Mode: +0*" + mode + " ")
                    .contains("Links: " + links + " ");
        }
    }

    static TreeModel randomTree(Random r, int count) {
        TreeModel model = new TreeModel();
        List<String> dirs = new ArrayList<>(List.of(""));
        List<String> files = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String parent = dirs.get(r.nextInt(dirs.size()));
            String name = NAME_PARTS[r.nextInt(NAME_PARTS.length)] + i;
            String path = parent.isEmpty() ? name : parent + "/" + name;
            Metadata meta = randomMetadata(r);
            int kind = r.nextInt(20);
            if (kind < 5) {
                model.add(new TreeModel.Dir(path, meta));
                dirs.add(path);
            } else if (kind < 12) {
                long size = r.nextInt(10) == 0 ? r.nextInt(600_000) : r.nextInt(9000);
                model.add(new TreeModel.File(path, meta, new TreeModel.Content(size, r.nextLong(), r.nextInt(4))));
                files.add(path);
            } else if (kind < 14) {
                int length = 1 + (r.nextBoolean() ? r.nextInt(59) : r.nextInt(300));
                model.add(new TreeModel.Symlink(path, meta.withXattrs(Map.of()), "t".repeat(length)));
            } else if (kind < 16 && !files.isEmpty()) {
                model.add(new TreeModel.HardLink(path, files.get(r.nextInt(files.size()))));
            } else if (kind < 18) {
                model.add(new TreeModel.Device(path, withoutUserXattrs(meta), r.nextBoolean(), r.nextInt(4096),
                        r.nextInt(1 << 20)));
            } else if (kind < 19) {
                model.add(new TreeModel.Fifo(path, withoutUserXattrs(meta)));
            } else {
                model.add(new TreeModel.Socket(path, withoutUserXattrs(meta)));
            }
        }
        return model;
    }

    /** The kernel shows user.* attributes only on regular files and directories. */
    private static Metadata withoutUserXattrs(Metadata meta) {
        Map<String, byte[]> kept = new java.util.LinkedHashMap<>(meta.xattrs());
        kept.keySet().removeIf(name -> name.startsWith("user."));
        return meta.withXattrs(kept);
    }

    private static Metadata randomMetadata(Random r) {
        Timestamp t1 = new Timestamp(r.nextInt(Integer.MAX_VALUE), r.nextInt(1_000_000_000));
        Timestamp t2 = new Timestamp(r.nextInt(Integer.MAX_VALUE), r.nextInt(1_000_000_000));
        Map<String, byte[]> xattrs = new java.util.LinkedHashMap<>();
        int n = r.nextInt(6) == 0 ? 1 + r.nextInt(4) : 0;
        for (int i = 0; i < n; i++) {
            byte[] value = new byte[1 + (r.nextInt(4) == 0 ? r.nextInt(700) : r.nextInt(20))];
            r.nextBytes(value);
            String[] prefixes = {"user.", "trusted.", "security."};
            xattrs.put(prefixes[r.nextInt(3)] + "attr" + i, value);
        }
        return new Metadata(r.nextInt(07777 + 1), r.nextInt(70_000), r.nextInt(70_000), t1, t2, t1, xattrs);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
