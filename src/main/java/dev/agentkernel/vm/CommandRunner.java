package dev.agentkernel.vm;

import dev.agentkernel.agent.AgentRequest;
import dev.agentkernel.agent.RunResult;
import dev.agentkernel.store.AgentkernelHome;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** {@code agentkernel run}: one command in a fresh sandbox that is gone afterwards. */
public final class CommandRunner {
    private CommandRunner() {
    }

    /** The command's result and how long each step took. */
    public record Outcome(RunResult result, Duration copyDisk, Duration boot, Duration command, Duration shutdown) {
    }

    public static Outcome run(AgentkernelHome home, SandboxOptions options, AgentRequest.Run request,
                              Map<String, String> env) {
        Sandbox sandbox = Sandbox.start(home, options, env);
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
        return new Outcome(result, t.copyDisk, t.boot, command, t.shutdown);
    }
}
