package dev.agentkernel.cli;

import dev.agentkernel.sandbox.SandboxName;
import dev.agentkernel.sandbox.SandboxService;
import dev.agentkernel.sandbox.SandboxSnapshots;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code agentkernel snapshot take|list|restore|rm}: saved running sandboxes, memory and disk. */
@Command(name = "snapshot", mixinStandardHelpOptions = true,
        description = "Saved running sandboxes (memory and disk): take, list, restore, rm.",
        subcommands = {SnapshotCommand.Take.class, SnapshotCommand.ListSnapshots.class, SnapshotCommand.Restore.class,
                SnapshotCommand.Remove.class})
final class SnapshotCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static SandboxSnapshots snapshots(CommandSpec spec) {
        return new SandboxSnapshots(new SandboxService(Main.home(spec), System.getenv()));
    }

    @Command(name = "take", mixinStandardHelpOptions = true,
            description = "Save a running or paused sandbox's memory and disk; it goes on running. Prints the name.")
    static final class Take implements Callable<Integer> {
        @Parameters(paramLabel = "SANDBOX", description = "The sandbox to save.")
        String sandbox;

        @Option(names = {"-n", "--name"}, paramLabel = "NAME",
                description = "The snapshot's name (default: SANDBOX-yyyyMMdd-HHmmss).")
        String name;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            SandboxSnapshots.SnapshotInfo info = snapshots(spec).take(SandboxName.of(sandbox), name);
            spec.commandLine().getOut().println(info.name());
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    @Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true, description = "List snapshots.")
    static final class ListSnapshots implements Callable<Integer> {
        @Option(names = "--json", description = "One JSON array.")
        boolean json;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            List<SandboxSnapshots.SnapshotInfo> all = snapshots(spec).list();
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                List<Map<String, Object>> rows = new ArrayList<>();
                for (SandboxSnapshots.SnapshotInfo s : all) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("name", s.name());
                    m.put("sandbox", s.sandbox());
                    m.put("image", s.image());
                    m.put("memory_mb", s.memoryMb());
                    m.put("vcpus", s.cpus());
                    m.put("created_at", s.createdAt());
                    m.put("bytes", s.bytes());
                    m.put("users", s.users());
                    rows.add(m);
                }
                SandboxView.printJson(rows, out);
            } else {
                out.printf("%-30s %-20s %-10s %-24s %s%n", "NAME", "SANDBOX", "SIZE", "CREATED", "USED BY");
                for (SandboxSnapshots.SnapshotInfo s : all) {
                    out.printf("%-30s %-20s %-10s %-24s %s%n", s.name(), s.sandbox(), HumanSize.format(s.bytes()),
                            s.createdAt(), String.join(",", s.users()));
                }
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "restore", mixinStandardHelpOptions = true,
            description = "Start a new sandbox from a snapshot, continuing where it was (its processes still running).")
    static final class Restore implements Callable<Integer> {
        @Parameters(paramLabel = "NAME", description = "The snapshot.")
        String name;

        @Option(names = "--as", paramLabel = "NEW", description = "The new sandbox's name (default: the saved sandbox's).")
        String as;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            var info = snapshots(spec).restore(name, as == null ? null : SandboxName.of(as));
            spec.commandLine().getOut().println(info.name());
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Remove snapshots (not while sandboxes restored from them exist).")
    static final class Remove implements Callable<Integer> {
        @Parameters(paramLabel = "NAME", arity = "1..*", description = "Snapshot names.")
        List<String> names;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            SandboxSnapshots snapshots = snapshots(spec);
            for (String name : names) {
                snapshots.remove(name);
                spec.commandLine().getOut().println(name);
            }
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    /** {@code agentkernel fork NAME --as NEW}. */
    @Command(name = "fork", mixinStandardHelpOptions = true,
            description = "Copy a running sandbox, memory and disk, into a new running sandbox; both go on independently.")
    static final class Fork implements Callable<Integer> {
        @Parameters(paramLabel = "NAME", description = "The sandbox to copy.")
        String name;

        @Option(names = "--as", required = true, paramLabel = "NEW", description = "The new sandbox's name.")
        String as;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            var info = snapshots(spec).fork(SandboxName.of(name), SandboxName.of(as));
            spec.commandLine().getOut().println(info.name());
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
