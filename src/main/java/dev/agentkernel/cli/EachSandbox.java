package dev.agentkernel.cli;

import dev.agentkernel.sandbox.SandboxName;
import dev.agentkernel.sandbox.SandboxService;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.util.List;

/**
 * What {@code start}, {@code stop}, {@code pause} and {@code resume} share: the action on each named sandbox in
 * turn, each name printed once its action is done; the first failure ends the command.
 */
final class EachSandbox {
    interface Action {
        void apply(SandboxService service, SandboxName name);
    }

    private EachSandbox() {
    }

    static int apply(CommandSpec spec, List<String> names, Action action) {
        SandboxService service = new SandboxService(Main.home(spec), System.getenv());
        PrintWriter out = spec.commandLine().getOut();
        for (String name : names) {
            action.apply(service, SandboxName.of(name));
            out.println(name);
        }
        out.flush();
        return 0;
    }
}
