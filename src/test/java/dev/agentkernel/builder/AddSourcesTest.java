package dev.agentkernel.builder;

import dev.agentkernel.build.dockerfile.DockerfileException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** ADD's local archives and URLs, the parts that need no VM: detection, unpacking, names, dates, checksums. */
class AddSourcesTest {
    @TempDir
    Path dir;

    private Path tar(String name, String... entries) throws IOException {
        Path src = Files.createDirectories(dir.resolve("src-" + name));
        for (String e : entries) {
            Path p = src.resolve(e);
            Files.createDirectories(p.getParent());
            Files.writeString(p, e + "\n");
        }
        Path out = dir.resolve(name);
        Process p = new ProcessBuilder("tar", name.endsWith(".gz") ? "-czf" : "-cf", out.toString(), "-C",
                src.toString(), ".").inheritIO().start();
        try {
            assertThat(p.waitFor()).isZero();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    @Test
    void archivesAreToldByContentNotName() throws IOException {
        assertThat(LocalArchive.detect(tar("a.tar", "x/y.txt"))).contains(LocalArchive.Compression.NONE);
        assertThat(LocalArchive.detect(tar("renamed.gz", "x/y.txt"))).contains(LocalArchive.Compression.GZIP);
        Path text = Files.writeString(dir.resolve("fake.tar"), "not a tar at all\n".repeat(100));
        assertThat(LocalArchive.detect(text)).isEmpty();
        Path gzText = dir.resolve("text.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gzText))) {
            out.write("gzipped text, no tar inside\n".repeat(50).getBytes(StandardCharsets.UTF_8));
        }
        assertThat(LocalArchive.detect(gzText)).isEmpty();
        assertThat(LocalArchive.detect(dir.resolve("missing"))).isEmpty();
    }

    @Test
    void unpacksUnderTheDestinationWithTheArchivesMetadata() throws IOException {
        Path archive = tar("b.tar.gz", "d/e/f.txt", "top.txt");
        try (SpoolFile spool = new SpoolFile(dir, "t")) {
            List<PlannedEntry> entries = LocalArchive.extract(archive, LocalArchive.Compression.GZIP, "x/plain",
                    new Ownership(0, 0, null, false), spool, 3, "b.tar.gz");
            assertThat(entries).extracting(e -> e.entry().path())
                    .containsExactly("x/plain", "x/plain/d", "x/plain/d/e", "x/plain/d/e/f.txt", "x/plain/top.txt");
            PlannedEntry f = entries.get(3);
            try (var in = f.open()) {
                assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("d/e/f.txt\n");
            }
        }
    }

    @Test
    void xzIsDecompressedInProcess() throws IOException {
        Path plain = tar("c.tar", "d/x.txt");
        Path xz = dir.resolve("c.tar.xz");
        try (OutputStream out = new org.tukaani.xz.XZOutputStream(Files.newOutputStream(xz),
                new org.tukaani.xz.LZMA2Options())) {
            Files.copy(plain, out);
        }
        assertThat(LocalArchive.detect(xz)).contains(LocalArchive.Compression.XZ);
        try (SpoolFile spool = new SpoolFile(dir, "t")) {
            List<PlannedEntry> entries = LocalArchive.extract(xz, LocalArchive.Compression.XZ, "out", new Ownership(
                    0, 0, null, false), spool, 2, "c.tar.xz");
            assertThat(entries).extracting(e -> e.entry().path()).containsExactly("out", "out/d", "out/d/x.txt");
            try (var in = entries.get(2).open()) {
                assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("d/x.txt\n");
            }
        }
        Path xzText = dir.resolve("text.xz");
        try (OutputStream out = new org.tukaani.xz.XZOutputStream(Files.newOutputStream(xzText),
                new org.tukaani.xz.LZMA2Options())) {
            out.write("xz text, no tar inside\n".repeat(50).getBytes(StandardCharsets.UTF_8));
        }
        assertThat(LocalArchive.detect(xzText)).isEmpty();
    }

    @Test
    void anXzStreamNeedingMoreMemoryThanTheLimitIsAnErrorNotACopy() throws IOException {
        Path plain = tar("big-dict.tar", "d/x.txt");
        Path xz = dir.resolve("big-dict.tar.xz");
        try (OutputStream out = new org.tukaani.xz.XZOutputStream(Files.newOutputStream(xz),
                new org.tukaani.xz.LZMA2Options())) {
            Files.copy(plain, out);
        }
        // the block header says the dictionary is 256 MiB (LZMA2's property byte 32), CRC32 fixed: a decoder needs
        // that much memory (writing such a stream would take gigabytes of encoder memory)
        byte[] bytes = Files.readAllBytes(xz);
        int header = 12;
        int size = ((bytes[header] & 0xff) + 1) * 4;
        assertThat(bytes[header + 2]).as("the LZMA2 filter id").isEqualTo((byte) 0x21);
        bytes[header + 4] = 32;
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(bytes, header, size - 4);
        java.nio.ByteBuffer.wrap(bytes, header + size - 4, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putInt((int) crc.getValue());
        Files.write(xz, bytes);
        assertThat(LocalArchive.detect(xz)).contains(LocalArchive.Compression.XZ);
        try (SpoolFile spool = new SpoolFile(dir, "t")) {
            assertThatThrownBy(() -> LocalArchive.extract(xz, LocalArchive.Compression.XZ, "out",
                    new Ownership(0, 0, null, false), spool, 7, "big-dict.tar.xz"))
                    .isInstanceOf(DockerfileException.class).hasMessageContaining("line 7")
                    .hasMessageContaining("cannot unpack the archive").hasMessageContaining("memory");
        }
    }

    @Test
    void namesLeadingOutOfTheDestinationAreRefused() {
        assertThat(LocalArchive.clean("./a/../b/./c", 1, "t")).isEqualTo("b/c");
        assertThat(LocalArchive.clean("./", 1, "t")).isEmpty();
        assertThatThrownBy(() -> LocalArchive.clean("a/../../etc/passwd", 4, "evil.tar"))
                .isInstanceOf(DockerfileException.class).hasMessageContaining("line 4")
                .hasMessageContaining("leads outside the destination");
    }

    @Test
    void urlNamesDatesAndChecksumForms() {
        assertThat(RemoteFile.name(URI.create("http://h/a/b/file.tgz?x=1"))).contains("file.tgz");
        assertThat(RemoteFile.name(URI.create("http://h/dir/"))).contains("dir");
        assertThat(RemoteFile.name(URI.create("http://h"))).isEmpty();
        assertThat(RemoteFile.lastModified(Optional.of("Wed, 21 Oct 2020 07:28:00 GMT")).getAsLong())
                .isEqualTo(1603265280L);
        assertThat(RemoteFile.lastModified(Optional.of("yesterday"))).isEmpty();
        assertThat(RemoteFile.isUrl("https://example.com/x")).isTrue();
        assertThat(RemoteFile.isUrl("file.txt")).isFalse();
        assertThat(RemoteFile.isGit("git@github.com:o/r.git")).isTrue();
        assertThat(RemoteFile.isGit("https://github.com/o/r.git")).isTrue();
        RemoteFile.checkChecksumForm("sha256:" + "a".repeat(64), 1);
        assertThatThrownBy(() -> RemoteFile.checkChecksumForm("sha256:abc", 7))
                .isInstanceOf(DockerfileException.class).hasMessageContaining("line 7");
        assertThatThrownBy(() -> RemoteFile.checkChecksumForm("md5:" + "a".repeat(32), 7))
                .isInstanceOf(DockerfileException.class);
    }
}
