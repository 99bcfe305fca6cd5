package dev.agentkernel.vm;

import dev.agentkernel.errors.UserInputException;

import java.nio.file.Path;

/**
 * What one microVM is built from: the prepared kernel, the sandbox's own writable disk, its size, and the
 * sandbox directory where the monitor puts the agent's socket and the console log.
 */
public record VmSpec(PreparedKernel kernel, Path disk, int memoryMb, int cpus, Path sandboxDir) {
    public VmSpec {
        if (memoryMb < 64 || memoryMb > 1 << 20) {
            throw new UserInputException("--memory must be between 64 and 1048576 MB, not " + memoryMb);
        }
        if (cpus < 1 || cpus > 64) {
            throw new UserInputException("--cpus must be between 1 and 64, not " + cpus);
        }
    }

    public Path consoleLog() {
        return sandboxDir.resolve("console.log");
    }

    public Path agentSocket() {
        return sandboxDir.resolve("agent.sock");
    }
}
