package dev.agentkernel.cli;

import dev.agentkernel.build.EngineLookup;
import dev.agentkernel.build.ImageSync;
import dev.agentkernel.store.AgentkernelHome;
import dev.agentkernel.store.ImageRecord;
import dev.agentkernel.store.ImageStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** {@code agentkernel images sync}: forgets built images whose engine image is gone. */
@Command(name = "sync", mixinStandardHelpOptions = true,
        description = "Drop the metadata of built images the engine no longer has, and say which.")
final class ImagesSyncCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        AgentkernelHome home = Main.home(spec);
        ImageSync.Result result = new ImageSync(new ImageStore(home), EngineLookup.forThisMachine(),
                ImageRemovalHooks.forHome(home)).sync();
        PrintWriter out = spec.commandLine().getOut();
        for (ImageRecord dropped : result.dropped()) {
            out.println("dropped " + dropped.name() + " (" + dropped.build().engine() + " no longer has "
                    + dropped.build().engineReference() + ")");
        }
        if (result.dropped().isEmpty()) {
            out.println("nothing to drop");
        }
        out.flush();
        return Warnings.print(result.warnings(), spec.commandLine().getErr());
    }
}
