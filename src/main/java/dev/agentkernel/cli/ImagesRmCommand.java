package dev.agentkernel.cli;

import dev.agentkernel.build.EngineLookup;
import dev.agentkernel.build.ImageRemover;
import dev.agentkernel.store.AgentkernelHome;
import dev.agentkernel.store.ImageStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code agentkernel images rm NAME...}: removes images, with the engine's copy of built ones. */
@Command(name = "rm", aliases = "remove", mixinStandardHelpOptions = true,
        description = "Remove stored images, and the engine image agentkernel-NAME of built ones.")
final class ImagesRmCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "NAME", arity = "1..*", description = "Image names.")
    List<String> names = new ArrayList<>();

    @Override
    public Integer call() {
        AgentkernelHome home = Main.home(spec);
        ImageRemover remover = new ImageRemover(new ImageStore(home), EngineLookup.forThisMachine(),
                ImageRemovalHooks.forHome(home));
        PrintWriter out = spec.commandLine().getOut();
        List<String> warnings = new ArrayList<>();
        for (ImageRemover.Removal removal : remover.remove(names)) {
            out.println("removed " + removal.name() + describe(removal));
            removal.warnings().forEach(w -> warnings.add(removal.name() + ": " + w));
        }
        out.flush();
        Warnings.print(warnings, spec.commandLine().getErr());
        return 0;
    }

    private static String describe(ImageRemover.Removal removal) {
        if (removal.record() == null || removal.record().build() == null) {
            return "";
        }
        String engine = removal.record().build().engine();
        String ref = removal.record().build().engineReference();
        return switch (removal.engineImage()) {
            case REMOVED -> " and " + engine + " image " + ref;
            case ALREADY_GONE -> " (" + engine + " no longer had " + ref + ")";
            case NONE, LEFT -> "";
        };
    }
}
