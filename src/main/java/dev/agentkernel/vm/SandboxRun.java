package dev.agentkernel.vm;

import dev.agentkernel.agent.AgentRequest;
import dev.agentkernel.agent.RunResult;
import dev.agentkernel.image.source.SourceSpec;
import dev.agentkernel.rootfs.RootfsConverter;
import dev.agentkernel.rootfs.RootfsOptions;
import dev.agentkernel.store.AgentkernelHome;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * {@code agentkernel run}: one command in a fresh sandbox that is gone afterwards. The monitor and kernel are
 * checked first, then the image is converted (cached), then the VM boots.
 */
public final class SandboxRun {
    private SandboxRun() {
    }

    /** The command's result, how long each step took, and the sandbox directory when it was kept (else null). */
    public record Outcome(RunResult result, Duration convert, Duration copyDisk, Duration boot, Duration command,
                          Duration shutdown, java.nio.file.Path keptDirectory) {
    }

    /** Runs {@code request} in a sandbox made from {@code image}, or from {@code options.rootfs()} when it is null. */
    public static Outcome run(AgentkernelHome home, SourceSpec image, SandboxOptions options, AgentRequest.Run request,
                              Map<String, String> env) {
        Sandbox.Launch launch = Sandbox.prepare(home, options, env);
        Instant convertStart = Instant.now();
        java.nio.file.Path rootfs = image == null ? options.rootfs()
                : new RootfsConverter(home).convert(image, RootfsOptions.defaults()).path();
        Duration convert = Duration.between(convertStart, Instant.now());
        Sandbox sandbox = launch.start(rootfs);
        RunResult result;
        Duration command;
        try {
            Instant start = Instant.now();
            result = sandbox.run(request);
            command = Duration.between(start, Instant.now());
        } finally {
            sandbox.close();
        }
        Sandbox.Timings t = sandbox.timings();
        return new Outcome(result, convert, t.copyDisk, t.boot, command, t.shutdown,
                options.keep() ? sandbox.directory() : null);
    }
}
