package dev.agentkernel.cli;

import dev.agentkernel.sandbox.SandboxInfo;
import dev.agentkernel.sandbox.SandboxService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code agentkernel list}: every sandbox with its status. */
@Command(name = "list", aliases = {"ls", "ps"}, mixinStandardHelpOptions = true,
        description = "List sandboxes: name, status (running, stopped, exited), image, created, memory, CPUs.")
final class ListCommand implements Callable<Integer> {
    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Option(names = {"-l", "--label"}, paramLabel = "KEY=VALUE", description = "Only sandboxes with this label (repeatable: all must match).")
    List<String> labels = List.of();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Map<String, String> wanted = KeyValues.parse(labels, "-l");
        List<SandboxInfo> sandboxes = new SandboxService(Main.home(spec), System.getenv()).list().stream()
                .filter(s -> s.record().labels().entrySet().containsAll(wanted.entrySet()))
                .toList();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            SandboxView.printJson(sandboxes.stream().map(SandboxView::json).toList(), out);
        } else {
            SandboxView.table(sandboxes, out);
        }
        out.flush();
        return 0;
    }
}
