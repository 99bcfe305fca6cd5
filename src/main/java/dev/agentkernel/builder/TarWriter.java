package dev.agentkernel.builder;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a layer tar: ustar headers, with a PAX extended header in front of an entry whose path, link target,
 * ids, size or times do not fit ustar, or that has extended attributes ({@code SCHILY.xattr.NAME}). Times are
 * the entries' own; nothing is taken from the clock, so the same entries give the same bytes.
 */
final class TarWriter {
    private static final int BLOCK = 512;
    private final OutputStream out;
    private long written;

    TarWriter(OutputStream out) {
        this.out = out;
    }

    /** Writes {@code e}; for a file, exactly {@code e.size()} bytes of {@code content} follow. */
    void write(TreeEntry e, InputStream content) throws IOException {
        String name = e.tarPath() + (e.kind() == TreeEntry.Kind.DIR && !e.path().isEmpty() ? "/" : "");
        if (e.path().isEmpty() && e.kind() == TreeEntry.Kind.DIR) {
            name = "./";
        }
        long size = e.kind() == TreeEntry.Kind.FILE ? e.size() : 0;
        Map<String, String> pax = new LinkedHashMap<>();
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        if (nameBytes.length > 100 || !ascii(name)) {
            pax.put("path", name);
        }
        String link = e.linkTarget();
        if (link != null && (link.getBytes(StandardCharsets.UTF_8).length > 100 || !ascii(link))) {
            pax.put("linkpath", link);
        }
        if (e.uid() > 07777777) {
            pax.put("uid", Long.toString(e.uid()));
        }
        if (e.gid() > 07777777) {
            pax.put("gid", Long.toString(e.gid()));
        }
        if (size > 077777777777L) {
            pax.put("size", Long.toString(size));
        }
        if (e.mtimeNanos() != 0 || e.mtimeSeconds() < 0 || e.mtimeSeconds() > 077777777777L) {
            pax.put("mtime", e.mtimeSeconds() + (e.mtimeNanos() == 0 ? "" : "." + String.format("%09d", e.mtimeNanos())));
        }
        for (Map.Entry<String, byte[]> x : e.xattrs().entrySet()) {
            pax.put("SCHILY.xattr." + x.getKey(), new String(x.getValue(), StandardCharsets.ISO_8859_1));
        }
        if (!pax.isEmpty()) {
            byte[] body = paxBody(pax);
            writeHeader("PaxHeaders/" + truncate(name, 80), 'x', 0644, 0, 0, body.length, 0, "", 0, 0);
            out.write(body);
            pad(body.length);
        }
        char type = switch (e.kind()) {
            case FILE, WHITEOUT, OPAQUE -> '0';
            case DIR -> '5';
            case SYMLINK -> '2';
            case HARDLINK -> '1';
            case CHAR -> '3';
            case BLOCK -> '4';
            case FIFO -> '6';
        };
        boolean marker = e.kind() == TreeEntry.Kind.WHITEOUT || e.kind() == TreeEntry.Kind.OPAQUE;
        writeHeader(truncate(name, 100), type, marker ? 0 : e.mode(), marker ? 0 : e.uid(), marker ? 0 : e.gid(), size,
                Math.max(0, Math.min(e.mtimeSeconds(), 077777777777L)), link == null ? "" : truncate(link, 100),
                e.devMajor(), e.devMinor());
        if (size > 0) {
            byte[] buf = new byte[64 * 1024];
            long left = size;
            while (left > 0) {
                int n = content.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) {
                    throw new IOException("the content of " + e.path() + " ended " + left + " bytes early");
                }
                out.write(buf, 0, n);
                left -= n;
            }
            pad(size);
        }
    }

    /** The two zero blocks that end an archive. */
    void finish() throws IOException {
        out.write(new byte[2 * BLOCK]);
        out.flush();
    }

    private static boolean ascii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80 || s.charAt(i) == 0) {
                return false;
            }
        }
        return true;
    }

    private static String truncate(String s, int bytes) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return b.length <= bytes ? s : new String(Arrays.copyOf(b, bytes), StandardCharsets.US_ASCII);
    }

    private static byte[] paxBody(Map<String, String> records) {
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        for (Map.Entry<String, String> r : records.entrySet()) {
            byte[] kv = (" " + r.getKey() + "=").getBytes(StandardCharsets.UTF_8);
            byte[] value = r.getKey().startsWith("SCHILY.xattr.")
                    ? r.getValue().getBytes(StandardCharsets.ISO_8859_1) : r.getValue().getBytes(StandardCharsets.UTF_8);
            int len = kv.length + value.length + 1;
            int total = len + Integer.toString(len).length();
            if (Integer.toString(total).length() != Integer.toString(len).length()) {
                total++;
            }
            body.writeBytes(Integer.toString(total).getBytes(StandardCharsets.US_ASCII));
            body.writeBytes(kv);
            body.writeBytes(value);
            body.write('\n');
        }
        return body.toByteArray();
    }

    private void writeHeader(String name, char type, int mode, long uid, long gid, long size, long mtime, String link,
                             long major, long minor) throws IOException {
        byte[] h = new byte[BLOCK];
        put(h, 0, 100, name.getBytes(StandardCharsets.UTF_8));
        octal(h, 100, 8, mode & 07777);
        octal(h, 108, 8, Math.min(uid, 07777777));
        octal(h, 116, 8, Math.min(gid, 07777777));
        octal(h, 124, 12, Math.min(size, 077777777777L));
        octal(h, 136, 12, mtime);
        Arrays.fill(h, 148, 156, (byte) ' ');
        h[156] = (byte) type;
        put(h, 157, 100, link.getBytes(StandardCharsets.UTF_8));
        put(h, 257, 6, "ustar\0".getBytes(StandardCharsets.US_ASCII));
        put(h, 263, 2, "00".getBytes(StandardCharsets.US_ASCII));
        if (type == '3' || type == '4') {
            octal(h, 329, 8, major);
            octal(h, 337, 8, minor);
        }
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        byte[] chk = String.format("%06o\0 ", sum).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(chk, 0, h, 148, 8);
        out.write(h);
        written += BLOCK;
    }

    private static void put(byte[] h, int at, int len, byte[] value) {
        System.arraycopy(value, 0, h, at, Math.min(len, value.length));
    }

    private static void octal(byte[] h, int at, int len, long value) {
        String s = Long.toOctalString(value);
        String padded = "0".repeat(Math.max(0, len - 1 - s.length())) + s;
        put(h, at, len - 1, padded.getBytes(StandardCharsets.US_ASCII));
    }

    private void pad(long size) throws IOException {
        int rest = (int) (size % BLOCK);
        if (rest != 0) {
            out.write(new byte[BLOCK - rest]);
        }
    }
}
