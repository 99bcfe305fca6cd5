package dev.agentkernel.copy;

import dev.agentkernel.agent.CopyEntry;
import dev.agentkernel.agent.CopyOutResult;
import dev.agentkernel.agent.EntryKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The host side of a copy from a hostile guest: entry sequences the real agent never sends (a file under a
 * symlink it sent, children of a non-directory root, hard links to paths it did not send, directories over
 * planted symlinks) are refused, nothing is written outside the destination, and a refused copy leaves
 * nothing of itself behind.
 */
class HostTreeWriterTest {
    private Path work;
    private Path outside;
    private Path dest;

    @BeforeEach
    void tree() throws IOException {
        work = Files.createTempDirectory("ak-cp-writer");
        outside = Files.createDirectory(work.resolve("outside"));
        Files.writeString(outside.resolve("victim"), "untouched");
        dest = Files.createDirectory(work.resolve("dest"));
    }

    @AfterEach
    void cleanUp() throws IOException {
        HostPaths.deleteTree(work);
    }

    private static CopyEntry dir(String path) {
        return new CopyEntry(path, EntryKind.DIR, 0750, 0, 0, 1_000_000_000L, 5, 0, null, 0, 0);
    }

    private static CopyEntry file(String path, long size) {
        return new CopyEntry(path, EntryKind.FILE, 04755, 0, 0, 1_234_567_890L, 123_456_789, size, null, 0, 0);
    }

    private static CopyEntry symlink(String path, String target) {
        return new CopyEntry(path, EntryKind.SYMLINK, 0777, 0, 0, 1_000L, 0, 0, target, 0, 0);
    }

    private static CopyEntry hardlink(String path, String target) {
        return new CopyEntry(path, EntryKind.HARDLINK, 0644, 0, 0, 1_000L, 0, 0, target, 0, 0);
    }

    private static final CopyOutResult END = new CopyOutResult(EntryKind.DIR, 0, 0, List.of(), 0);

    private List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private void assertOutsideUntouched() throws IOException {
        assertThat(names(outside)).containsExactly("victim");
        assertThat(Files.readString(outside.resolve("victim"))).isEqualTo("untouched");
    }

    @Test
    void aFileUnderASymlinkTheGuestSentIsRefusedAndTheNewDestinationIsGone() throws IOException {
        HostTreeWriter w = new HostTreeWriter(dest.resolve("tree"), CopyRules.Existing.NOTHING, true);
        w.entry(dir("."));
        w.entry(symlink("esc", outside.toString()));
        assertThatThrownBy(() -> w.entry(file("esc/pwn", 3))).isInstanceOf(IOException.class)
                .hasMessageContaining("before a directory");
        w.abandon();
        assertOutsideUntouched();
        assertThat(names(dest)).isEmpty();
    }

    @Test
    void childrenOfARootThatIsNotADirectoryAreRefused() throws IOException {
        HostTreeWriter w = new HostTreeWriter(dest.resolve("link"), CopyRules.Existing.NOTHING, false);
        w.entry(symlink(".", outside.toString()));
        assertThatThrownBy(() -> w.entry(file("victim", 3))).isInstanceOf(IOException.class);
        w.abandon();
        assertOutsideUntouched();
    }

    @Test
    void aHardLinkToAPathTheCopyDidNotSendIsRefused() throws IOException {
        Files.writeString(dest.resolve("secret"), "host's own");
        HostTreeWriter w = new HostTreeWriter(dest, CopyRules.Existing.DIRECTORY, true);
        w.entry(dir("."));
        w.entry(dir("sub"));
        assertThatThrownBy(() -> w.entry(hardlink("sub/x", "secret"))).isInstanceOf(IOException.class)
                .hasMessageContaining("not an earlier file");
        w.abandon();
        assertThat(names(dest)).containsExactly("secret"); // sub, which the copy added, is gone
        assertThatThrownBy(() -> hardlink("x", "../outside/victim")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> file("/etc/passwd", 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> file("a/../../b", 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> file("a\0b", 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> file("x".repeat(256), 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aDirectoryOverAPlantedSymlinkIsRefusedAndAFileReplacesOneWithoutFollowingIt() throws IOException {
        Files.createSymbolicLink(dest.resolve("sub"), outside);
        Files.createSymbolicLink(dest.resolve("victim"), outside.resolve("victim"));
        HostTreeWriter w = new HostTreeWriter(dest, CopyRules.Existing.DIRECTORY, true);
        w.entry(dir("."));
        w.entry(file("victim", 4));
        w.data(0, ByteBuffer.wrap("pwnd".getBytes(StandardCharsets.UTF_8)));
        assertThatThrownBy(() -> w.entry(dir("sub"))).isInstanceOf(IOException.class)
                .hasMessageContaining("cannot overwrite non-directory");
        w.abandon();
        assertOutsideUntouched();
        assertThat(Files.isSymbolicLink(dest.resolve("sub"))).isTrue();
        // the file was complete when the next entry came, so it replaced the symlink (not what it points to)
        assertThat(Files.isSymbolicLink(dest.resolve("victim"))).isFalse();
        assertThat(Files.readString(dest.resolve("victim"))).isEqualTo("pwnd");
    }

    @Test
    void aNonDirectoryNeverReplacesADirectory() throws IOException {
        HostTreeWriter w = new HostTreeWriter(dest.resolve("t"), CopyRules.Existing.NOTHING, true);
        w.entry(dir("."));
        w.entry(dir("d"));
        w.entry(file("d/keep", 0));
        assertThatThrownBy(() -> w.entry(symlink("d", outside.toString()))).isInstanceOf(IOException.class)
                .hasMessageContaining("cannot overwrite directory");
        w.abandon();
        assertThat(names(dest)).isEmpty();
    }

    @Test
    void aCompleteCopyKeepsModesMtimesHolesAndLinksAndIsRenamedIntoPlace() throws IOException {
        Path target = dest.resolve("t");
        HostTreeWriter w = new HostTreeWriter(target, CopyRules.Existing.NOTHING, true);
        w.entry(dir("."));
        w.entry(file("f", 1 << 20));
        w.data(4096, ByteBuffer.wrap("data".getBytes(StandardCharsets.UTF_8)));
        assertThat(Files.exists(target)).isFalse(); // built under a temporary name
        w.entry(hardlink("h", "f"));
        w.entry(symlink("s", "f"));
        w.entry(new CopyEntry("fifo", EntryKind.FIFO, 0644, 0, 0, 0, 0, 0, null, 0, 0));
        w.end(END);
        assertThat(names(dest)).containsExactly("t");
        assertThat(names(target)).containsExactly("f", "h", "s");
        assertThat(w.skipped()).containsExactly("fifo (fifo)");
        Path f = target.resolve("f");
        assertThat(Files.size(f)).isEqualTo(1 << 20);
        byte[] bytes = Files.readAllBytes(f);
        assertThat(new String(bytes, 4096, 4, StandardCharsets.UTF_8)).isEqualTo("data");
        assertThat((Integer) Files.getAttribute(f, "unix:mode") & 07777).isEqualTo(04755);
        assertThat(Files.getLastModifiedTime(f)).isEqualTo(FileTime.from(Instant.ofEpochSecond(1_234_567_890L, 123_456_789)));
        assertThat(Files.getAttribute(f, "unix:ino")).isEqualTo(Files.getAttribute(target.resolve("h"), "unix:ino"));
        assertThat(Files.readSymbolicLink(target.resolve("s")).toString()).isEqualTo("f");
        assertThat(Files.getLastModifiedTime(target.resolve("s"), LinkOption.NOFOLLOW_LINKS).toMillis()).isEqualTo(1_000_000L);
        assertThat((Integer) Files.getAttribute(target, "unix:mode") & 07777).isEqualTo(0750);
        assertThat(Files.getLastModifiedTime(target)).isEqualTo(FileTime.from(Instant.ofEpochSecond(1_000_000_000L, 5)));
        assertThat((Long) Files.getAttribute(f, "unix:size")).isEqualTo(1 << 20);
    }
}
