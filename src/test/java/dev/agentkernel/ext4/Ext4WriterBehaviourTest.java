package dev.agentkernel.ext4;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Determinism, thread safety, validation and clean-up of the writer. */
class Ext4WriterBehaviourTest {
    static final Timestamp T = Timestamp.ofSeconds(1_700_000_000L);

    @TempDir
    Path dir;

    @Test
    void theSameTreeGivesByteIdenticalImagesWhateverTheOrderOfAdd() throws Exception {
        TreeModel model = Ext4WriterMountTest.everyKind();
        for (int i = 0; i < 600; i++) { // enough for an htree
            model.add(new TreeModel.File("many/file-" + i, Metadata.of(0644, 0, 0, T), new TreeModel.Content(i * 10, i, 0)));
        }
        Ext4Options options = Ext4Options.builder().seed("sha256:abc".getBytes()).defaultTimestamp(T).build();
        Path a = dir.resolve("a.img");
        Path b = dir.resolve("b.img");
        model.write(a, options);
        try (Ext4Writer w = Ext4Writer.create(b, options)) { // contents in the same order, entries reversed
            List<Ext4Entry> entries = new ArrayList<>();
            for (TreeModel.Node n : model.nodes.values()) {
                entries.add(TreeModel.toEntry(w, n));
            }
            for (int i = entries.size() - 1; i >= 0; i--) {
                w.add(entries.get(i));
            }
            w.finish();
        }
        assertThat(Files.mismatch(a, b)).isEqualTo(-1);
        Path c = dir.resolve("c.img");
        model.write(c, Ext4Options.builder().seed("sha256:abd".getBytes()).defaultTimestamp(T).build());
        assertThat(Files.mismatch(a, c)).isNotEqualTo(-1); // the seed reaches the UUID
    }

    @Test
    void writeContentAndAddAreThreadSafe() throws Exception {
        Path image = dir.resolve("threads.img");
        TreeModel model = new TreeModel();
        for (int i = 0; i < 400; i++) {
            model.add(new TreeModel.File("d" + (i % 7) + "/f" + i, Metadata.of(0644, i, i, T),
                    new TreeModel.Content(i * 997L + (i % 5 == 0 ? 3 << 20 : 0), i, i % 3)));
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (Ext4Writer w = Ext4Writer.create(image, Ext4Options.builder().defaultTimestamp(T).build())) {
            List<Future<?>> futures = new ArrayList<>();
            for (TreeModel.Node n : model.nodes.values()) {
                futures.add(pool.submit(() -> {
                    w.add(TreeModel.toEntry(w, n));
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
            w.finish();
        } finally {
            pool.shutdownNow();
        }
        Tools.assertFsckClean(image);
        try (MountedImage m = MountedImage.mount(image, dir.resolve("mnt"), true)) {
            MountWalk.assertSame(MountWalk.walk(m.root()), model.expectedWalk(T));
        }
    }

    @Test
    void badNamesAndDuplicatePathsAreRejected() throws Exception {
        try (Ext4Writer w = Ext4Writer.create(dir.resolve("x.img"), Ext4Options.builder().build())) {
            Metadata m = Metadata.of(0755, 0, 0, T);
            for (String bad : List.of("/abs", "a//b", "a/", "a/./b", "..", "nul\0byte", "x".repeat(256),
                    "é".repeat(128), "a/" + "\uD83D\uDE00".repeat(64) + "/b")) {
                assertThatThrownBy(() -> w.add(new Ext4Entry.Directory(bad, m)))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid path");
            }
            w.add(new Ext4Entry.Directory("a", m));
            assertThatThrownBy(() -> w.add(new Ext4Entry.Fifo("a", m)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("added twice");
            w.add(new Ext4Entry.Directory("é".repeat(127), m)); // 254 bytes of UTF-8: fine
            w.add(new Ext4Entry.Directory("\uDCE9".repeat(255), m)); // 255 escaped bytes: fine
            w.add(new Ext4Entry.Directory("...", m));
        }
    }

    @Test
    void closingWithoutFinishDeletesTheTemporaryFileAndTouchesNoTarget() throws Exception {
        Path target = dir.resolve("never.img");
        try (Ext4Writer w = Ext4Writer.create(target, Ext4Options.builder().build())) {
            w.writeContent(new ByteArrayInputStream(new byte[10_000]), 10_000);
            try (var files = Files.list(dir)) {
                assertThat(files).hasSize(1); // the temporary sibling
            }
        }
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void anEntryThatContradictsTheTreeIsRefusedAtAddAndLeavesTheTreeAsItWas() throws Exception {
        Path image = dir.resolve("refused.img");
        Metadata m = Metadata.of(0755, 0, 0, T);
        try (Ext4Writer w = Ext4Writer.create(image, Ext4Options.builder().defaultTimestamp(T).build())) {
            w.add(new Ext4Entry.Fifo("f", m));
            assertThatThrownBy(() -> w.add(new Ext4Entry.Directory("f/x/y", m)))
                    .isInstanceOf(Ext4Exception.class).hasMessageContaining("f has entries below it but is not a directory");
            // no half-made parent was left behind: f/x is refused again, not taken as created earlier
            assertThatThrownBy(() -> w.add(new Ext4Entry.Directory("f/x", m)))
                    .isInstanceOf(Ext4Exception.class).hasMessageContaining("f has entries below it but is not a directory");
            w.add(new Ext4Entry.Directory("d/e", m)); // d is created as its parent
            assertThatThrownBy(() -> w.add(new Ext4Entry.Fifo("d", m)))
                    .isInstanceOf(Ext4Exception.class).hasMessageContaining("d has entries below it but is not a directory");
            w.add(new Ext4Entry.Directory("d", Metadata.of(0700, 7, 8, T))); // its own entry still arrives
            assertThatThrownBy(() -> w.add(new Ext4Entry.Directory("d", m)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("added twice: d");
            w.finish();
        }
        Tools.assertFsckClean(image);
        assertThat(Tools.debugfs(image, "ls -l /")).contains(" f").contains(" d");
        assertThat(Tools.debugfs(image, "stat /f")).contains("Type: FIFO");
        assertThat(Tools.debugfs(image, "stat /d")).contains("Mode:  0700").contains("User:     7")
                .contains("Group:     8");
        assertThat(Tools.debugfs(image, "ls -l /d")).contains(" e");
    }

    @Test
    void aFailingFinishLeavesNoFiles() throws Exception {
        Path target = dir.resolve("broken.img");
        try (Ext4Writer w = Ext4Writer.create(target, Ext4Options.builder().build())) {
            w.add(new Ext4Entry.RegularFile("f", Metadata.of(0644, 0, 0, T),
                    w.writeContent(new ByteArrayInputStream(new byte[] {1}), 1)));
            w.add(new Ext4Entry.HardLink("link", "missing"));
            assertThatThrownBy(w::finish).isInstanceOf(Ext4Exception.class).hasMessageContaining("not in the tree");
        }
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void shortContentIsAnErrorAndHardLinksMustPointSomewhere() throws Exception {
        try (Ext4Writer w = Ext4Writer.create(dir.resolve("s.img"), Ext4Options.builder().build())) {
            assertThatThrownBy(() -> w.writeContent(new ByteArrayInputStream(new byte[10]), 20))
                    .isInstanceOf(Ext4Exception.class).hasMessageContaining("ended after 10 of 20 bytes");
            w.add(new Ext4Entry.HardLink("link", "missing"));
            assertThatThrownBy(w::finish).isInstanceOf(Ext4Exception.class).hasMessageContaining("not in the tree");
        }
    }

    @Test
    void discardedContentIsZeroedOnDisk() throws Exception {
        Path image = dir.resolve("discard.img");
        byte[] secret = "SECRET-".repeat(2000).getBytes();
        try (Ext4Writer w = Ext4Writer.create(image, Ext4Options.builder().journal(false).build())) {
            FileContent hidden = w.writeContent(new ByteArrayInputStream(secret), secret.length);
            w.writeContent(new ByteArrayInputStream(secret), secret.length); // never used by any file
            w.discard(hidden);
            w.add(new Ext4Entry.Directory("d", Metadata.of(0755, 0, 0, T)));
            w.finish();
        }
        assertThat(new String(Files.readAllBytes(image), java.nio.charset.StandardCharsets.ISO_8859_1))
                .doesNotContain("SECRET-");
        Tools.assertFsckClean(image);
    }
}
