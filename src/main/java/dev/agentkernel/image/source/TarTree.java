package dev.agentkernel.image.source;

import dev.agentkernel.errors.ImageException;
import dev.agentkernel.image.LayerCompression;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarFile;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * A {@link FileTree} over an uncompressed tar archive, read in place: one pass indexes where each regular
 * file's data starts, then blobs are read with positional reads on a shared channel (thread-safe), never
 * extracted to disk.
 */
final class TarTree implements FileTree {
    private record Extent(long offset, long size) {
    }

    private final Path file;
    private final FileChannel channel;
    private final Map<String, Extent> files;

    private TarTree(Path file, FileChannel channel, Map<String, Extent> files) {
        this.file = file;
        this.channel = channel;
        this.files = files;
    }

    /** Indexes {@code file}; a missing, compressed or malformed archive is an {@link ImageException}. */
    static TarTree open(Path file) {
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
            rejectCompressed(file, channel);
            Map<String, Extent> files = new HashMap<>();
            Map<String, String> links = new HashMap<>();
            try (TarFile tar = new TarFile(file)) {
                for (TarArchiveEntry e : tar.getEntries()) {
                    String name = normalise(e.getName());
                    if (e.isFile() && !e.isLink()) {
                        files.put(name, new Extent(e.getDataOffset(), e.getSize()));
                    } else if (e.isLink()) {
                        links.put(name, normalise(e.getLinkName()));
                    } else if (e.isSymbolicLink()) {
                        // podman save: <id>/layer.tar -> ../<hex>.tar, relative to the link's directory
                        links.put(name, resolveRelative(name, e.getLinkName()));
                    }
                }
            }
            // docker save writes hard links for layers shared between images.
            links.forEach((name, target) -> {
                Extent t = files.get(target);
                if (t != null) {
                    files.putIfAbsent(name, t);
                }
            });
            return new TarTree(file, channel, files);
        } catch (NoSuchFileException e) {
            closeQuietly(channel);
            throw new ImageException("no such archive: " + file, e);
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            if (e instanceof ImageException ie) {
                throw ie;
            }
            throw new ImageException(file + " is not a readable tar archive: " + e.getMessage(), e);
        }
    }

    private static void rejectCompressed(Path file, FileChannel channel) throws IOException {
        ByteBuffer magic = ByteBuffer.allocate(4);
        int read = Math.max(0, channel.read(magic, 0));
        LayerCompression compression = LayerCompression.sniff(magic.array(), read);
        boolean gzip = compression == LayerCompression.GZIP;
        if (compression != LayerCompression.NONE) {
            throw new ImageException(file + " is a " + (gzip ? "gzip" : "zstd") + "-compressed archive; "
                    + "decompress it first (" + (gzip ? "gunzip" : "unzstd") + "), archives are read in place");
        }
    }

    private static String resolveRelative(String linkName, String target) {
        if (target.startsWith("/")) {
            return normalise(target);
        }
        int slash = linkName.lastIndexOf('/');
        String dir = slash < 0 ? "" : linkName.substring(0, slash + 1);
        return normalise(java.nio.file.Path.of("/" + dir + target).normalize().toString());
    }

    private static String normalise(String name) {
        String n = name;
        while (n.startsWith("./")) {
            n = n.substring(2);
        }
        while (n.startsWith("/")) {
            n = n.substring(1);
        }
        return n;
    }

    @Override
    public boolean exists(String path) {
        return files.containsKey(normalise(path));
    }

    @Override
    public long size(String path) throws IOException {
        return extent(path).size;
    }

    @Override
    public InputStream open(String path) throws IOException {
        Extent e = extent(path);
        return new ChannelRangeInputStream(channel, e.offset, e.size);
    }

    private Extent extent(String path) throws NoSuchFileException {
        Extent e = files.get(normalise(path));
        if (e == null) {
            throw new NoSuchFileException(path + " in " + file);
        }
        return e;
    }

    @Override
    public String describe() {
        return file.toString();
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // read-only; nothing to lose
            }
        }
    }
}
