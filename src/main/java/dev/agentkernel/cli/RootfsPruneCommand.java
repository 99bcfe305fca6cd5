package dev.agentkernel.cli;

import dev.agentkernel.rootfs.ByteSize;
import dev.agentkernel.rootfs.RootfsCache;
import dev.agentkernel.store.DurationText;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;

/** {@code agentkernel rootfs prune}: removes cached root filesystems not used for a while. */
@Command(name = "prune", mixinStandardHelpOptions = true, description = "Remove cached root filesystems not used for --older-than (default: all).")
public final class RootfsPruneCommand implements Runnable {
    @Option(names = "--older-than", paramLabel = "DURATION",
            description = "Keep entries used within DURATION: 90s, 30m, 12h, 7d, 2w or ISO-8601 (P7D).")
    String olderThan = "0s";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        Duration age = parseDuration(olderThan);
        RootfsCache.Removal removal = new RootfsCache(Main.home(spec)).prune(age);
        List<RootfsCache.Cached> removed = removal.removed();
        PrintWriter out = spec.commandLine().getOut();
        removal.kept().forEach(k -> out.println(k.describe()));
        long bytes = 0;
        for (RootfsCache.Cached c : removed) {
            out.println("removed " + c.image() + " (" + c.entry().source() + ")");
            bytes += c.entry().filesystemBytes();
        }
        out.println("removed " + removed.size() + " cached root filesystem" + (removed.size() == 1 ? "" : "s")
                + " (" + ByteSize.format(bytes) + " of file system size)");
        out.flush();
    }

    static Duration parseDuration(String text) {
        return DurationText.parse(text, "--older-than");
    }
}
