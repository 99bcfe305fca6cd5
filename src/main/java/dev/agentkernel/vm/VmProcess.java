package dev.agentkernel.vm;

import dev.agentkernel.errors.ToolException;
import dev.agentkernel.process.CommandRunner;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A running monitor process. Its own output (errors of QEMU, Firecracker's serial console) goes to a log file
 * in the sandbox directory; {@link #kill()} destroys it and everything it started, by PID.
 */
public final class VmProcess {
    private final Process process;
    private final Path monitorLog;
    private final Path consoleLog;

    private VmProcess(Process process, Path monitorLog, Path consoleLog) {
        this.process = process;
        this.monitorLog = monitorLog;
        this.consoleLog = consoleLog;
    }

    public static VmProcess start(List<String> command, Path monitorLog, Path consoleLog) {
        try {
            // in the sandbox directory, where the log is: Firecracker's configuration names its files relative to it
            Process p = new ProcessBuilder(command).directory(monitorLog.toAbsolutePath().getParent().toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(monitorLog.toFile()))
                    .redirectErrorStream(true)
                    .start();
            return new VmProcess(p, monitorLog, consoleLog);
        } catch (IOException e) {
            throw new ToolException("cannot start " + command.get(0) + ": " + e.getMessage(), e);
        }
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits for the VM to end by itself; true when it did within {@code limit}. */
    public boolean waitFor(Duration limit) {
        try {
            return process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public int exitValue() {
        return process.exitValue();
    }

    /** Kills the monitor and its descendants, and waits until it is gone. */
    public void kill() {
        CommandRunner.destroyTree(process);
        waitFor(Duration.ofSeconds(10));
    }

    /** The last {@code lines} lines of the guest console and of the monitor's own output, for error messages. */
    public String lastLines(int lines) {
        return LogTail.block("guest console", consoleLog, lines) + LogTail.block("monitor output", monitorLog, lines);
    }
}
