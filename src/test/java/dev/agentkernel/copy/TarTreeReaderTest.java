package dev.agentkernel.copy;

import dev.agentkernel.agent.CopyEntry;
import dev.agentkernel.agent.EntryKind;
import dev.agentkernel.errors.UserInputException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Tar streams from stdin as copy entries: names cleaned, '..' refused, missing parents made, zero blocks left out. */
class TarTreeReaderTest {
    private static final CopyEntry ROOT = new CopyEntry(".", EntryKind.DIR, 0755, 0, 0, 0, 0, 0, null, 0, 0);

    private record Sent(List<String> entries, List<String> data) implements TreeTarget {
        Sent() {
            this(new ArrayList<>(), new ArrayList<>());
        }

        @Override
        public void entry(CopyEntry entry) {
            entries.add(entry.kind().wire() + " " + entry.path() + (entry.target() != null ? " -> " + entry.target() : ""));
        }

        @Override
        public void data(long offset, byte[] bytes, int from, int length) {
            data.add(offset + "+" + length);
        }
    }

    private static byte[] tar(TarArchiveEntry... entries) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
            t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (TarArchiveEntry e : entries) {
                t.putArchiveEntry(e);
                if (e.isFile() && e.getSize() > 0) {
                    byte[] content = new byte[(int) e.getSize()];
                    content[Math.min(10_000, content.length - 1)] = 1; // one byte, in the third 4 KiB block when there is one
                    t.write(content);
                }
                t.closeArchiveEntry();
            }
        }
        return out.toByteArray();
    }

    private static TarArchiveEntry file(String name, int size) {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(size);
        return e;
    }

    private static TarArchiveEntry link(String name, String target, byte kind) {
        TarArchiveEntry e = new TarArchiveEntry(name, kind);
        e.setLinkName(target);
        return e;
    }

    @Test
    void namesAreCleanedMissingParentsAreMadeAndZeroBlocksStayHoles() throws IOException {
        Sent sent = new Sent();
        new TarTreeReader().send(new ByteArrayInputStream(tar(file("/abs/x/f", 20_000), file("./rel", 0),
                link("abs/x/h", "./abs/x/f", TarConstants.LF_LINK), link("s", "/etc/passwd", TarConstants.LF_SYMLINK))),
                ROOT, sent);
        assertThat(sent.entries()).containsExactly("dir .", "dir abs", "dir abs/x", "file abs/x/f", "file rel",
                "hardlink abs/x/h -> abs/x/f", "symlink s -> /etc/passwd");
        assertThat(sent.data()).containsExactly("8192+4096");
    }

    @Test
    void theArchivesOwnRootEntryIsUsedOnce() throws IOException {
        Sent sent = new Sent();
        TarArchiveEntry root = new TarArchiveEntry("./");
        root.setMode(040700);
        new TarTreeReader().send(new ByteArrayInputStream(tar(root, file("./a", 0), new TarArchiveEntry("./"))), ROOT,
                sent);
        assertThat(sent.entries()).containsExactly("dir .", "file a");
    }

    @Test
    void dotDotNamesAndHardLinksToNothingEarlierAreRefused() throws IOException {
        assertThatThrownBy(() -> new TarTreeReader().send(new ByteArrayInputStream(tar(file("a/../../etc/passwd", 1))),
                ROOT, new Sent())).isInstanceOf(UserInputException.class).hasMessageContaining("'..'");
        assertThatThrownBy(() -> new TarTreeReader().send(new ByteArrayInputStream(
                tar(link("h", "/etc/shadow", TarConstants.LF_LINK))), ROOT, new Sent()))
                .isInstanceOf(UserInputException.class).hasMessageContaining("not an earlier file");
        assertThatThrownBy(() -> new TarTreeReader().send(new ByteArrayInputStream(tar(file("x".repeat(300), 0))),
                ROOT, new Sent())).isInstanceOf(UserInputException.class).hasMessageContaining("255");
    }
}
