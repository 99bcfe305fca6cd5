package dev.agentkernel.sandbox;

import java.nio.file.Path;

/**
 * The files of one sandbox, {@code sandboxes/<name>/}: its record, its copy-on-write disk, the monitor's
 * identity, the console log and the agent's sockets (one per virtio-serial port).
 */
public record SandboxDirectory(Path path) {
    public Path record() {
        return path.resolve("sandbox.json");
    }

    public Path disk() {
        return path.resolve("disk.qcow2");
    }

    public Path monitor() {
        return path.resolve("monitor.json");
    }

    public Path consoleLog() {
        return path.resolve("console.log");
    }

    public Path monitorLog() {
        return path.resolve("monitor.log");
    }

    /** Why the monitor last ended, when agentkernel saw it end (a failed start). */
    public Path lastExit() {
        return path.resolve("exit.txt");
    }
}
