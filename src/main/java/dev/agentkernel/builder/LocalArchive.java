package dev.agentkernel.builder;

import dev.agentkernel.build.dockerfile.DockerfileException;
import dev.agentkernel.errors.Quote;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarUtils;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.MemoryLimitException;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * ADD of a local tar archive, as the Dockerfile reference has it: a file that is a tar, plain or compressed with
 * gzip, bzip2 or xz, is unpacked into the destination directory (entries keep their mode, owner, mtime and
 * extended attributes unless {@code --chown}/{@code --chmod} say otherwise; the archive's own {@code .} entry
 * gives the destination directory its metadata, as Docker's untar merges a directory entry into an existing
 * directory); any other file is copied as is. What counts is the content, not the
 * name: a compressed file that is not a tar inside is copied as is too. Entry names and hard-link targets that
 * lead out of the destination are an error, as Docker's untar refuses them. Decompression is in process
 * (Commons Compress; xz through org.tukaani:xz), bounded like the rest: per entry, in entries, and for xz in the
 * decoder's memory ({@value #XZ_MEMORY_KIB} KiB, twice what {@code xz -9} needs; a stream asking for more is an
 * error, not a file copied as is).
 */
final class LocalArchive {
    enum Compression { NONE, GZIP, BZIP2, XZ }

    static final int MAX_ENTRIES = 1_000_000;
    private static final long MAX_FILE = 64L << 30;
    static final int XZ_MEMORY_KIB = 128 * 1024;

    private LocalArchive() {
    }

    /** The compression of {@code file} when it is a tar archive (after decompression); empty otherwise. */
    static Optional<Compression> detect(Path file) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Compression c;
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(6);
            c = compressionOf(head);
        } catch (IOException e) {
            return Optional.empty();
        }
        try (InputStream in = open(file, c)) {
            byte[] header = in.readNBytes(512);
            return header.length == 512 && isTarHeader(header) ? Optional.of(c) : Optional.empty();
        } catch (MemoryLimitException e) {
            return Optional.of(c); // xz that cannot be told without more memory: extract() says so, naming the line
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // not decompressible: not an archive, copied as is (as Docker does)
        }
    }

    static Compression compressionOf(byte[] head) {
        if (head.length >= 3 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b && (head[2] & 0xff) == 8) {
            return Compression.GZIP;
        }
        if (head.length >= 3 && head[0] == 'B' && head[1] == 'Z' && head[2] == 'h') {
            return Compression.BZIP2;
        }
        if (head.length >= 6 && (head[0] & 0xff) == 0xfd && head[1] == '7' && head[2] == 'z' && head[3] == 'X'
                && head[4] == 'Z' && head[5] == 0) {
            return Compression.XZ;
        }
        return Compression.NONE;
    }

    /** A tar header block: its checksum matches (ustar, GNU and old v7 headers alike) and it names something. */
    static boolean isTarHeader(byte[] header) {
        return header[0] != 0 && TarUtils.verifyCheckSum(header);
    }

    /**
     * The entries {@code file} unpacks to under {@code dest} (sorted by path, parents not included), their
     * contents in {@code spool}.
     */
    static List<PlannedEntry> extract(Path file, Compression compression, String dest, Ownership owner,
                                      SpoolFile spool, int line, String name) {
        Map<String, PlannedEntry> out = new TreeMap<>();
        try (InputStream in = open(file, compression);
             TarArchiveInputStream tar = new TarArchiveInputStream(in, StandardCharsets.UTF_8.name())) {
            int count = 0;
            for (TarArchiveEntry t; (t = tar.getNextEntry()) != null; ) {
                if (++count > MAX_ENTRIES) {
                    throw new DockerfileException(line, "ADD " + Quote.name(name) + ": the archive has over "
                            + MAX_ENTRIES + " entries");
                }
                String rel = clean(t.getName(), line, name);
                if (rel.isEmpty() && (dest.isEmpty() || !t.isDirectory())) {
                    continue; // the image's root keeps its metadata
                }
                String last = rel.substring(rel.lastIndexOf('/') + 1);
                if (!rel.isEmpty() && last.startsWith(".wh.")) {
                    throw new DockerfileException(line, "ADD " + Quote.name(name) + ": the archive's entry "
                            + Quote.name(t.getName()) + " has a name a layer reserves for whiteouts (.wh.)");
                }
                String target = CopyPlanner.join(dest, rel);
                Instant mtime = t.getLastModifiedTime().toInstant();
                long uid = owner.explicit() ? owner.uid() : t.getLongUserId();
                long gid = owner.explicit() ? owner.gid() : t.getLongGroupId();
                int mode = owner.mode() != null ? owner.mode() : t.getMode() & 07777;
                Map<String, byte[]> xattrs = xattrs(t);
                TreeEntry e;
                PlannedEntry.Content content = null;
                if (t.isLink()) {
                    String to = CopyPlanner.join(dest, clean(t.getLinkName(), line, name));
                    PlannedEntry linked = out.get(to);
                    if (linked == null || linked.entry().kind() != TreeEntry.Kind.FILE) {
                        throw new DockerfileException(line, "ADD " + Quote.name(name) + ": the archive's hard link "
                                + Quote.name(t.getName()) + " points at " + Quote.name(t.getLinkName())
                                + ", which is not a file before it in the archive");
                    }
                    e = new TreeEntry(target, TreeEntry.Kind.HARDLINK, 0, 0, 0, 0, 0, 0, to, 0, 0, null);
                } else if (t.isSymbolicLink()) {
                    e = new TreeEntry(target, TreeEntry.Kind.SYMLINK, 0777, uid, gid, mtime.getEpochSecond(),
                            mtime.getNano(), 0, t.getLinkName(), 0, 0, xattrs);
                } else if (t.isDirectory()) {
                    e = new TreeEntry(target, TreeEntry.Kind.DIR, mode, uid, gid, mtime.getEpochSecond(),
                            mtime.getNano(), 0, null, 0, 0, xattrs);
                } else if (t.isCharacterDevice() || t.isBlockDevice()) {
                    e = new TreeEntry(target, t.isCharacterDevice() ? TreeEntry.Kind.CHAR : TreeEntry.Kind.BLOCK,
                            mode, uid, gid, mtime.getEpochSecond(), mtime.getNano(), 0, null, t.getDevMajor(),
                            t.getDevMinor(), xattrs);
                } else if (t.isFIFO()) {
                    e = new TreeEntry(target, TreeEntry.Kind.FIFO, mode, uid, gid, mtime.getEpochSecond(),
                            mtime.getNano(), 0, null, 0, 0, xattrs);
                } else if (t.isFile()) {
                    long offset = spool.append(tar, MAX_FILE, t.getName());
                    e = new TreeEntry(target, TreeEntry.Kind.FILE, mode, uid, gid, mtime.getEpochSecond(),
                            mtime.getNano(), t.getRealSize(), null, 0, 0, xattrs);
                    content = spool.region(offset, t.getRealSize());
                } else {
                    throw new DockerfileException(line, "ADD " + Quote.name(name) + ": the archive's entry "
                            + Quote.name(t.getName()) + " is of a type a layer cannot hold");
                }
                if (out.containsKey(target) && out.get(target).entry().kind() == TreeEntry.Kind.DIR
                        && e.kind() != TreeEntry.Kind.DIR) {
                    String prefix = target + "/";
                    out.keySet().removeIf(k -> k.startsWith(prefix)); // a later entry replaces the directory
                }
                out.put(target, new PlannedEntry(e, content));
            }
        } catch (IOException e) {
            throw new DockerfileException(line, "ADD " + Quote.name(name) + ": cannot unpack the archive: "
                    + e.getMessage());
        }
        return List.copyOf(out.values());
    }

    private static Map<String, byte[]> xattrs(TarArchiveEntry t) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        t.getExtraPaxHeaders().forEach((k, v) -> {
            if (k.startsWith("SCHILY.xattr.")) {
                out.put(k.substring("SCHILY.xattr.".length()), v.getBytes(StandardCharsets.UTF_8));
            }
        });
        return out;
    }

    /** An entry name relative to the destination: {@code .} and {@code ..} resolved, never above it. */
    static String clean(String raw, int line, String name) {
        Deque<String> parts = new ArrayDeque<>();
        for (String part : raw.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (parts.isEmpty()) {
                    throw new DockerfileException(line, "ADD " + Quote.name(name) + ": the archive's entry "
                            + Quote.name(raw) + " leads outside the destination");
                }
                parts.removeLast();
            } else {
                parts.addLast(part);
            }
        }
        return String.join("/", parts);
    }

    /** The archive's tar stream, decompressed in process. */
    private static InputStream open(Path file, Compression c) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        try {
            return switch (c) {
                case NONE -> raw;
                case GZIP -> new GzipCompressorInputStream(raw, true);
                case BZIP2 -> new BZip2CompressorInputStream(raw, true);
                case XZ -> new XZCompressorInputStream(raw, true, XZ_MEMORY_KIB);
            };
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }
}
