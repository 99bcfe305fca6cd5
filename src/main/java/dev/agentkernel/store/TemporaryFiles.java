package dev.agentkernel.store;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Temporary files that say who owns them: their names carry {@code pid<PID>at<START>}, the process id and its
 * start time (milliseconds since 1970; a pid alone is reused). A process killed with SIGKILL runs no clean-up,
 * so a later one removes the temporaries whose owner is gone ({@link #sweep}); a live owner's file is never
 * touched. The ext4 writer names its temporary images the same way ({@code Ext4Writer.sweepTemporaries}).
 */
public final class TemporaryFiles {
    private static final Pattern OWNER = Pattern.compile("pid(\\d+)at(\\d+)");
    /** Temporaries without an owner in their name (written before names had one) are swept after this. */
    private static final Duration UNOWNED_AGE = Duration.ofDays(1);
    private static final String TAG = tag();

    private TemporaryFiles() {
    }

    /** {@code pid<PID>at<START>} of this process, to put in a temporary file's name. */
    public static String ownerTag() {
        return TAG;
    }

    private static String tag() {
        ProcessHandle self = ProcessHandle.current();
        return "pid" + self.pid() + "at" + self.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    }

    /** Whether {@code fileName} names an owner ({@code pid<PID>at<START>}) that no longer runs. */
    public static boolean ownerGone(String fileName) {
        return ownerAlive(fileName).map(alive -> !alive).orElse(false);
    }

    /** Whether the process named in {@code fileName} still runs; empty when the name has no owner. */
    static Optional<Boolean> ownerAlive(String fileName) {
        Matcher m = OWNER.matcher(fileName);
        if (!m.find()) {
            return Optional.empty();
        }
        long pid;
        long started;
        try {
            pid = Long.parseLong(m.group(1));
            started = Long.parseLong(m.group(2));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        if (process.isEmpty()) {
            return Optional.of(false);
        }
        Optional<Instant> start = process.get().info().startInstant();
        // the same pid started at another time is another process (start times agree to the clock tick)
        return Optional.of(start.isEmpty() || started == 0
                || Math.abs(start.get().toEpochMilli() - started) < 1000);
    }

    /**
     * Deletes the files in {@code dir} matching {@code glob} whose owner is gone (or, without an owner in the
     * name, that nobody has written to for a day). Returns those deleted; a missing directory has none.
     */
    public static List<Path> sweep(Path dir, String glob) {
        List<Path> deleted = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return deleted;
        }
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, glob)) {
            for (Path p : stream) {
                if (abandoned(p)) {
                    AtomicFiles.deleteQuietly(p);
                    if (!Files.exists(p)) {
                        deleted.add(p);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // clean-up only: an unreadable directory is reported by whatever uses it
        }
        return deleted;
    }

    private static boolean abandoned(Path p) throws IOException {
        if (!Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        Optional<Boolean> alive = ownerAlive(p.getFileName().toString());
        if (alive.isPresent()) {
            return !alive.get();
        }
        return Files.getLastModifiedTime(p).toInstant().isBefore(Instant.now().minus(UNOWNED_AGE));
    }
}
