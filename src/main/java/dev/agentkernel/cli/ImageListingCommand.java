package dev.agentkernel.cli;

import dev.agentkernel.store.ImageStore;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** What {@code images} and {@code images list} both do: list the stored images, as a table or JSON. */
abstract class ImageListingCommand implements Callable<Integer> {
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
