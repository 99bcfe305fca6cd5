package dev.agentkernel.cli;

import dev.agentkernel.sandbox.SandboxInfo;
import dev.agentkernel.sandbox.SandboxName;
import dev.agentkernel.sandbox.SandboxService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** {@code agentkernel inspect NAME}: one sandbox in full, with the bytes its own disk uses. */
@Command(name = "inspect", aliases = "info", mixinStandardHelpOptions = true,
        description = "Show one sandbox: status, image, resources, disk use, expiry; why it exited, if it did.")
final class InspectCommand implements Callable<Integer> {
    @Parameters(paramLabel = "NAME", description = "Sandbox name.")
    String name;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        SandboxInfo info = new SandboxService(Main.home(spec), System.getenv()).inspect(SandboxName.of(name));
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            SandboxView.printJson(SandboxView.json(info), out);
        } else {
            SandboxView.text(info, out);
        }
        out.flush();
        return 0;
    }
}
