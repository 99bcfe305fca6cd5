package dev.agentkernel.process;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A process named by its pid and its start time (clock ticks since boot, field 22 of {@code /proc/PID/stat}):
 * a pid alone can be reused by an unrelated process once the first one is gone, the pair cannot.
 */
public record ProcessIdentity(long pid, long startTicks) {
    @JsonCreator
    public ProcessIdentity(@JsonProperty("pid") long pid, @JsonProperty("startTicks") long startTicks) {
        this.pid = pid;
        this.startTicks = startTicks;
    }

    /** The identity of the running process {@code pid}, if there is one. */
    public static Optional<ProcessIdentity> of(long pid) {
        return startTicksOf(pid).map(ticks -> new ProcessIdentity(pid, ticks));
    }

    /** This JVM. */
    public static ProcessIdentity current() {
        return of(ProcessHandle.current().pid()).orElseThrow();
    }

    /** Whether this very process still runs (and is not a zombie). */
    public boolean isAlive() {
        Optional<String> stat = stat(pid);
        return stat.isPresent() && startTicks(stat.get()).orElse(-1L) == startTicks && !state(stat.get()).equals("Z");
    }

    /** Sends SIGTERM (or SIGKILL when {@code force}) when the process is still this one. */
    public void signal(boolean force) {
        if (isAlive()) {
            ProcessHandle.of(pid).ifPresent(p -> {
                if (force) {
                    p.destroyForcibly();
                } else {
                    p.destroy();
                }
            });
        }
    }

    /** Waits until the process is gone, at most {@code limit}; true when it is. */
    public boolean awaitExit(Duration limit) {
        Instant deadline = Instant.now().plus(limit);
        while (isAlive()) {
            if (Instant.now().isAfter(deadline)) {
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return !isAlive();
            }
        }
        return true;
    }

    /** SIGTERM, then SIGKILL after {@code grace}; returns once the process is gone (bounded). */
    public void terminate(Duration grace) {
        signal(false);
        if (!awaitExit(grace)) {
            signal(true);
            awaitExit(Duration.ofSeconds(10));
        }
    }

    private static Optional<Long> startTicksOf(long pid) {
        return stat(pid).flatMap(ProcessIdentity::startTicks);
    }

    private static Optional<String> stat(long pid) {
        try {
            byte[] bytes = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "stat"));
            return Optional.of(new String(bytes, 0, Math.min(bytes.length, 4096), StandardCharsets.US_ASCII));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The fields after the command name, which is in parentheses and may itself hold spaces and ')'. */
    private static String[] fieldsAfterName(String stat) {
        int close = stat.lastIndexOf(')');
        return close < 0 ? new String[0] : stat.substring(close + 1).trim().split(" ");
    }

    private static String state(String stat) {
        String[] f = fieldsAfterName(stat);
        return f.length > 0 ? f[0] : "";
    }

    private static Optional<Long> startTicks(String stat) {
        String[] f = fieldsAfterName(stat);
        // field 3 (state) is f[0], so field 22 (starttime) is f[19]
        if (f.length < 20) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(f[19]));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
