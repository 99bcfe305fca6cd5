package dev.agentkernel.vm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.errors.Quote;
import dev.agentkernel.errors.VmException;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * What agentkernel asks of a running QEMU through QMP: stop and continue its CPUs, and write its state (RAM and
 * devices: a migration stream) to a file. The disk is not in the stream: while the CPUs are stopped QEMU has
 * flushed it, so the caller copies the disk file between {@link #stop} and {@link #cont}.
 */
public final class QemuControl implements AutoCloseable {
    private static final Duration SAVE_TIMEOUT = Duration.ofMinutes(2);

    private final Qmp qmp;

    private QemuControl(Qmp qmp) {
        this.qmp = qmp;
    }

    /** The control connection of the monitor whose QMP socket is {@code socket}. */
    public static QemuControl open(Path socket, Duration timeout) {
        return new QemuControl(Qmp.connect(socket, timeout));
    }

    public void stop() {
        qmp.execute("stop");
    }

    public void cont() {
        qmp.execute("cont");
    }

    /** QEMU's run state: running, paused, inmigrate, postmigrate, ... */
    public String status() {
        return qmp.execute("query-status").path("status").asText("unknown");
    }

    /**
     * Writes the machine's state to {@code file} (which must not exist; a path without quotes) and waits for
     * the stream to be complete; returns its size as QEMU counted it. Call with the CPUs stopped, so the state
     * is that of one instant.
     */
    public long saveState(Path file) {
        String path = file.toAbsolutePath().toString();
        if (path.contains("'")) {
            throw new VmException("cannot save a snapshot to a path with a quote in it: " + Quote.name(path));
        }
        return migrate("exec:cat > '" + path + "'");
    }

    /**
     * Streams the machine's state to {@code uri} (a file through {@code exec:}, or another QEMU's
     * {@code -incoming unix:} socket) and waits until the stream is complete; returns its size.
     */
    public long migrate(String uri) {
        // no rate limit: the VM is stopped, so the stream is one pass over its memory, to a file or a local QEMU
        qmp.execute("migrate-set-parameters", Qmp.arguments().put("max-bandwidth", Long.MAX_VALUE / 2),
                Duration.ofSeconds(10));
        qmp.execute("migrate", Qmp.arguments().put("uri", uri), Duration.ofSeconds(10));
        Instant deadline = Instant.now().plus(SAVE_TIMEOUT);
        while (true) {
            JsonNode state = qmp.execute("query-migrate");
            String status = state.path("status").asText("");
            switch (status) {
                case "completed":
                    return state.path("ram").path("transferred").asLong(0);
                case "failed", "cancelled":
                    throw new VmException("QEMU could not save the VM's state: "
                            + Quote.escape(state.path("error-desc").asText(status), 300));
                default:
                    break;
            }
            if (Instant.now().isAfter(deadline)) {
                qmp.execute("migrate_cancel");
                throw new VmException("saving the VM's state took over " + SAVE_TIMEOUT.toMinutes() + " minutes");
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new VmException("interrupted while saving the VM's state");
            }
        }
    }

    @Override
    public void close() {
        qmp.close();
    }
}
