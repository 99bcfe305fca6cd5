package dev.agentkernel.cli;

import dev.agentkernel.sandbox.SandboxInfo;
import dev.agentkernel.sandbox.SandboxName;
import dev.agentkernel.sandbox.SandboxService;
import dev.agentkernel.store.DurationText;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code agentkernel extend-ttl NAME --by 1h}: moves a sandbox's expiry later. */
@Command(name = "extend-ttl", mixinStandardHelpOptions = true,
        description = "Move a sandbox's expiry later; prints the new expiry.")
final class ExtendTtlCommand implements Callable<Integer> {
    @Parameters(paramLabel = "NAME", description = "Sandbox name.")
    String name;

    @Option(names = "--by", required = true, paramLabel = "DURATION", description = "How much later: 30m, 1h, 7d.")
    String by;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        SandboxInfo info = new SandboxService(Main.home(spec), System.getenv())
                .extendTtl(SandboxName.of(name), DurationText.parse(by, "--by"));
        spec.commandLine().getOut().println(info.record().expiresAt());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
