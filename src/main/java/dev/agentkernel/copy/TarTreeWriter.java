package dev.agentkernel.copy;

import dev.agentkernel.agent.CopyEntry;
import dev.agentkernel.agent.CopyOutResult;
import dev.agentkernel.agent.CopyPaths;
import dev.agentkernel.agent.CopySink;
import dev.agentkernel.agent.EntryKind;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

/**
 * A copy from the guest as a tar stream (POSIX/pax: long names, large sizes, nanosecond mtimes), named as
 * {@code docker cp NAME:SRC -} names it: the root under the source's last name ({@code .} for {@code SRC/.}),
 * everything else below it. Holes are written as zeros (the tar is not sparse); memory stays one small buffer.
 */
final class TarTreeWriter implements CopySink {
    private static final byte[] ZEROS = new byte[64 << 10];

    private final TarArchiveOutputStream tar;
    private final String rootName;
    private CopyEntry file;
    private long written;
    private boolean open;

    TarTreeWriter(OutputStream out, String rootName) {
        this.tar = new TarArchiveOutputStream(out, 64 << 10);
        this.tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        this.tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        this.tar.setAddPaxHeadersForNonAsciiNames(true);
        this.rootName = rootName;
    }

    @Override
    public void entry(CopyEntry entry) throws IOException {
        closeEntry();
        String name = name(entry.path());
        TarArchiveEntry t = switch (entry.kind()) {
            case DIR -> new TarArchiveEntry(name + "/", TarConstants.LF_DIR);
            case FILE -> new TarArchiveEntry(name, TarConstants.LF_NORMAL);
            case SYMLINK -> new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
            case HARDLINK -> new TarArchiveEntry(name, TarConstants.LF_LINK);
            case FIFO -> new TarArchiveEntry(name, TarConstants.LF_FIFO);
            case CHAR -> new TarArchiveEntry(name, TarConstants.LF_CHR);
            case BLOCK -> new TarArchiveEntry(name, TarConstants.LF_BLK);
        };
        int type = switch (entry.kind()) {
            case DIR -> 0040000;
            case SYMLINK -> 0120000;
            case FIFO -> 0010000;
            case CHAR -> 0020000;
            case BLOCK -> 0060000;
            default -> 0100000;
        };
        t.setMode(type | entry.mode());
        t.setUserId(entry.uid());
        t.setGroupId(entry.gid());
        t.setLastModifiedTime(FileTime.from(Instant.ofEpochSecond(entry.mtimeSeconds(), entry.mtimeNanos())));
        switch (entry.kind()) {
            case FILE -> t.setSize(entry.size());
            case SYMLINK -> t.setLinkName(entry.target());
            case HARDLINK -> t.setLinkName(name(entry.target()));
            case CHAR, BLOCK -> {
                t.setDevMajor((int) Math.min(entry.rdevMajor(), Integer.MAX_VALUE));
                t.setDevMinor((int) Math.min(entry.rdevMinor(), Integer.MAX_VALUE));
            }
            default -> {
            }
        }
        tar.putArchiveEntry(t);
        open = true;
        file = entry.kind() == EntryKind.FILE ? entry : null;
        written = 0;
    }

    @Override
    public void data(long offset, ByteBuffer bytes) throws IOException {
        if (file == null) {
            throw new IOException("file data outside a file");
        }
        zeros(offset - written);
        int n = bytes.remaining();
        if (bytes.hasArray()) {
            tar.write(bytes.array(), bytes.arrayOffset() + bytes.position(), n);
        } else {
            byte[] copy = new byte[n];
            bytes.get(copy);
            tar.write(copy, 0, n);
        }
        written = offset + n;
    }

    @Override
    public void end(CopyOutResult result) throws IOException {
        closeEntry();
        tar.finish();
        tar.flush();
    }

    private void closeEntry() throws IOException {
        if (!open) {
            return;
        }
        if (file != null) {
            zeros(file.size() - written);
            file = null;
        }
        tar.closeArchiveEntry();
        open = false;
    }

    private void zeros(long n) throws IOException {
        for (long left = n; left > 0; ) {
            int k = (int) Math.min(ZEROS.length, left);
            tar.write(ZEROS, 0, k);
            left -= k;
        }
        written += Math.max(0, n);
    }

    private String name(String path) {
        return path.equals(CopyPaths.ROOT) ? rootName : rootName + "/" + path;
    }
}
