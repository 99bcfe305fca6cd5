package dev.agentkernel.cli;

import dev.agentkernel.image.Image;
import dev.agentkernel.image.ImageLayer;
import dev.agentkernel.rootfs.ByteSize;
import dev.agentkernel.rootfs.ConversionListener;
import dev.agentkernel.rootfs.RootfsResult;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Conversion progress on stderr: on a terminal one line with a bar, redrawn in place; otherwise a plain line
 * per layer. Thread-safe (layer reads report from inflating threads).
 */
final class ProgressPrinter implements ConversionListener {
    private static final int BAR = 30;
    private final PrintWriter err;
    private final boolean terminal;
    private long totalBytes;
    private long readBytes;
    private int layersDone;
    private int layerCount;
    private long lastDraw;
    private boolean drawn;

    ProgressPrinter(PrintWriter err, boolean terminal) {
        this.err = err;
        this.terminal = terminal;
    }

    /**
     * Whether stderr is a terminal, even when stdout is captured ({@code path=$(agentkernel rootfs ...)}), which
     * {@link System#console()} cannot tell.
     */
    static boolean stderrIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return System.console() != null;
        }
    }

    @Override
    public synchronized void imageResolved(Image image) {
        layerCount = image.layers().size();
        totalBytes = image.layers().stream().mapToLong(l -> l.descriptor().size()).sum();
        if (!terminal) {
            err.println("image " + image.manifestDigest().shortHex() + ": " + layerCount + " layers, "
                    + ByteSize.format(totalBytes));
            err.flush();
        }
    }

    @Override
    public synchronized void waitingForOtherConversion() {
        clearLine();
        err.println("another agentkernel process is converting this image; waiting for it");
        err.flush();
    }

    @Override
    public synchronized void layerBytesRead(ImageLayer layer, long bytes) {
        readBytes += bytes;
        long now = System.nanoTime();
        if (terminal && now - lastDraw > 100_000_000L) {
            lastDraw = now;
            draw();
        }
    }

    @Override
    public synchronized void layerFinished(ImageLayer layer, int entries) {
        layersDone++;
        if (terminal) {
            draw();
        } else {
            err.println(layer.name() + ": " + entries + " entries, " + ByteSize.format(layer.descriptor().size()));
            err.flush();
        }
    }

    @Override
    public synchronized void finishing() {
        if (!terminal) {
            err.println("writing file system metadata");
            err.flush();
        }
    }

    @Override
    public synchronized void warning(String message) {
        clearLine();
        err.println("warning: " + message);
        err.flush();
    }

    synchronized void done(RootfsResult r, long diskBytes) {
        clearLine();
        err.println(String.format(Locale.ROOT, "%s: %d entries, %s file system, %s on disk, %.1f s",
                r.cacheHit() ? "cached" : "converted", r.entries(), ByteSize.format(r.filesystemBytes()),
                ByteSize.format(diskBytes), r.seconds()));
        err.flush();
    }

    private void draw() {
        double fraction = totalBytes == 0 ? 0 : Math.min(1, (double) readBytes / totalBytes);
        int filled = (int) Math.round(fraction * BAR);
        err.print("\r[" + "#".repeat(filled) + " ".repeat(BAR - filled) + "] " + layersDone + "/" + layerCount
                + " layers, " + ByteSize.format(readBytes) + " of " + ByteSize.format(totalBytes) + "   ");
        err.flush();
        drawn = true;
    }

    private void clearLine() {
        if (drawn) {
            err.print("\r" + " ".repeat(BAR + 60) + "\r");
            drawn = false;
        }
    }
}
