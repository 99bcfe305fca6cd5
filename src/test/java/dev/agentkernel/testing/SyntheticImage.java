package dev.agentkernel.testing;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;

/**
 * A large, deterministic, benchmark-sized image: 3 gzip layers of about 30,000 entries and 500 MB uncompressed
 * (half text-like, half incompressible, so the layers compress to about half), with one directory of 20,000
 * files, and an upper layer that replaces and deletes files. Written straight to blob files (not in memory).
 */
public final class SyntheticImage {
    private SyntheticImage() {
    }

    /** Writes the three gzip layer blobs under {@code dir} (layer1.tar.gz ...) and returns them, base first. */
    public static List<Path> write(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Path> blobs = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(42);
        blobs.add(layer(dir.resolve("layer1.tar.gz"), out -> {
            dir(out, "usr/");
            dir(out, "usr/share/");
            dir(out, "usr/share/many/");
            for (int i = 0; i < 20_000; i++) {
                file(out, String.format("usr/share/many/file-%05d.txt", i), 1024 + random.nextInt(6 * 1024), random);
            }
            for (int d = 0; d < 30; d++) {
                dir(out, "usr/lib/pkg" + d + "/");
                for (int i = 0; i < 100; i++) {
                    file(out, "usr/lib/pkg" + d + "/lib" + i + ".so", 4096 + random.nextInt(40 * 1024), random);
                }
            }
        }));
        blobs.add(layer(dir.resolve("layer2.tar.gz"), out -> {
            for (int d = 0; d < 50; d++) {
                dir(out, "opt/app" + d + "/");
                for (int i = 0; i < 100; i++) {
                    file(out, "opt/app" + d + "/data" + i + ".bin", 16 * 1024 + random.nextInt(64 * 1024), random);
                }
            }
            for (int i = 0; i < 10; i++) {
                file(out, "opt/big/blob" + i, 8 << 20, random);
            }
        }));
        blobs.add(layer(dir.resolve("layer3.tar.gz"), out -> {
            for (int i = 0; i < 1000; i++) {
                file(out, String.format("usr/share/many/file-%05d.txt", i * 7), 2048, random);
            }
            for (int d = 0; d < 5; d++) {
                whiteout(out, "opt/app" + d);
            }
            for (int i = 0; i < 500; i++) {
                file(out, "etc/conf.d/c" + i, 512 + random.nextInt(4096), random);
            }
            file(out, "opt/big/blob3", 20 << 20, random);
        }));
        return blobs;
    }

    private interface Body {
        void write(TarArchiveOutputStream out) throws IOException;
    }

    private static Path layer(Path blob, Body body) throws IOException {
        try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(blob), 1 << 16);
             GZIPOutputStream gzip = new GZIPOutputStream(file, 1 << 16);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(gzip)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            body.write(tar);
            tar.finish();
        }
        return blob;
    }

    private static void dir(TarArchiveOutputStream out, String name) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_DIR);
        e.setMode(0755);
        e.setModTime(new Date(1_700_000_000_000L));
        out.putArchiveEntry(e);
        out.closeArchiveEntry();
    }

    private static void whiteout(TarArchiveOutputStream out, String path) throws IOException {
        int slash = path.lastIndexOf('/');
        String name = path.substring(0, slash + 1) + ".wh." + path.substring(slash + 1);
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setModTime(new Date(1_700_000_000_000L));
        out.putArchiveEntry(e);
        out.closeArchiveEntry();
    }

    private static void file(TarArchiveOutputStream out, String name, int size, SplittableRandom random)
            throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(size);
        e.setMode(0644);
        e.setModTime(new Date(1_700_000_000_000L));
        out.putArchiveEntry(e);
        byte[] chunk = new byte[Math.min(size, 1 << 16)];
        int left = size;
        boolean text = random.nextBoolean();
        while (left > 0) {
            int n = Math.min(left, chunk.length);
            for (int i = 0; i < n; i++) {
                chunk[i] = text ? (byte) ("etaoin shrdlu\n".charAt(random.nextInt(14))) : (byte) random.nextInt(256);
            }
            out.write(chunk, 0, n);
            left -= n;
        }
        out.closeArchiveEntry();
    }
}
