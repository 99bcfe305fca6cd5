package dev.agentkernel.cli;

import dev.agentkernel.store.ImageStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code agentkernel images}: lists the stored images (same as {@code images list}); sub-commands manage them. */
@Command(name = "images", mixinStandardHelpOptions = true,
        description = "List stored images (built, pulled, imported); see the sub-commands to inspect and remove them.",
        subcommands = {
                ImagesCommand.ListCommand.class,
                ImagesInspectCommand.class,
                ImagesRmCommand.class,
                ImagesSyncCommand.class,
        })
final class ImagesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() {
        return ImageListing.print(new ImageStore(Main.home(spec)), json, spec.commandLine().getOut(),
                spec.commandLine().getErr());
    }

    /** {@code images list}: the same as {@code images}. */
    @Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true, description = "List stored images.")
    static final class ListCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--json", description = "Print JSON instead of a table.")
        boolean json;

        @Override
        public Integer call() {
            return ImageListing.print(new ImageStore(Main.home(spec)), json, spec.commandLine().getOut(),
                    spec.commandLine().getErr());
        }
    }
}
