package dev.agentkernel.cli;

import dev.agentkernel.image.Descriptor;
import dev.agentkernel.image.Digest;
import dev.agentkernel.registry.PullListener;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Pull progress on stderr, one layer at a time: on a terminal a line of bars redrawn in place (at most ten
 * times a second), otherwise plain lines when a layer starts and ends, which read well in CI logs.
 */
final class PullProgress implements PullListener {
    private static final long REDRAW_NANOS = 100_000_000L;
    private static final int BAR_WIDTH = 20;

    private final PrintWriter err;
    private final boolean terminal;
    private final Map<Integer, long[]> active = new TreeMap<>(); // layer number -> {bytes, size}
    private long lastDraw;
    private boolean lineOpen;

    PullProgress(PrintWriter err, boolean terminal) {
        this.err = err;
        this.terminal = terminal;
    }

    @Override
    public synchronized void resolved(String reference, Digest manifestDigest, int layerCount) {
        println("pulling " + reference + " (manifest " + manifestDigest + ", " + layerCount + " layers)");
    }

    @Override
    public synchronized void cached(BlobKind kind, int number, Descriptor blob) {
        println(name(kind, number, blob) + ": already present");
    }

    @Override
    public synchronized void started(BlobKind kind, int number, Descriptor blob, long from) {
        if (kind == BlobKind.LAYER) {
            active.put(number, new long[] {from, blob.size()});
        }
        if (!terminal) {
            println(name(kind, number, blob) + ": downloading " + HumanSize.format(blob.size())
                    + (from > 0 ? " (resuming at " + HumanSize.format(from) + ")" : ""));
        } else {
            redraw(true);
        }
    }

    @Override
    public synchronized void progress(BlobKind kind, int number, Descriptor blob, long bytes) {
        long[] state = active.get(number);
        if (kind == BlobKind.LAYER && state != null) {
            state[0] = bytes;
            redraw(false);
        }
    }

    @Override
    public synchronized void finished(BlobKind kind, int number, Descriptor blob) {
        if (kind == BlobKind.LAYER) {
            active.remove(number);
        }
        println(name(kind, number, blob) + ": done (" + HumanSize.format(blob.size()) + ", verified)");
    }

    private static String name(BlobKind kind, int number, Descriptor blob) {
        String shortDigest = blob.digest().algorithm() + ":" + blob.digest().shortHex();
        return kind == BlobKind.CONFIG ? "config " + shortDigest : "layer " + number + " " + shortDigest;
    }

    private void println(String line) {
        clearLine();
        err.println(line);
        err.flush();
        if (terminal) {
            redraw(true);
        }
    }

    private void clearLine() {
        if (lineOpen) {
            err.print("\r\033[2K");
            lineOpen = false;
        }
    }

    private void redraw(boolean force) {
        if (!terminal || active.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        if (!force && now - lastDraw < REDRAW_NANOS) {
            return;
        }
        lastDraw = now;
        StringBuilder line = new StringBuilder();
        for (Map.Entry<Integer, long[]> e : active.entrySet()) {
            long bytes = e.getValue()[0];
            long size = Math.max(1, e.getValue()[1]);
            int filled = (int) Math.min(BAR_WIDTH, bytes * BAR_WIDTH / size);
            line.append("layer ").append(e.getKey()).append(" [")
                    .append("=".repeat(filled)).append(" ".repeat(BAR_WIDTH - filled)).append("] ")
                    .append(String.format(Locale.ROOT, "%3d%%", bytes * 100 / size)).append("  ");
        }
        clearLine();
        err.print(line.toString().stripTrailing());
        err.flush();
        lineOpen = true;
    }

    /** Ends the bar line, if one is open. */
    synchronized void close() {
        clearLine();
        err.flush();
    }
}
