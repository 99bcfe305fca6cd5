package dev.agentkernel.cli;

import dev.agentkernel.builder.OciArchive;
import dev.agentkernel.errors.UserInputException;
import dev.agentkernel.store.BlobStore;
import dev.agentkernel.store.ImageRecord;
import dev.agentkernel.store.ImageStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code agentkernel images save NAME -o FILE}: an image of the blob store as an OCI archive. */
@Command(name = "save", mixinStandardHelpOptions = true,
        description = "Write a natively built or pulled image as an OCI archive (skopeo: oci-archive:FILE;"
                + " podman load -i FILE).")
final class ImagesSaveCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "NAME", description = "Image name.")
    String name;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "The archive to write.")
    Path output;

    @Override
    public Integer call() {
        ImageStore store = new ImageStore(Main.home(spec));
        ImageRecord record = store.get(name).orElseThrow(() -> new UserInputException("no image named '" + name
                + "' (see 'agentkernel images')"));
        OciArchive.save(record, BlobStore.of(store.home()), output);
        spec.commandLine().getOut().println("saved " + name + " to " + output.toAbsolutePath());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
