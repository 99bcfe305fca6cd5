package dev.agentkernel.cli;

import dev.agentkernel.errors.UserInputException;
import dev.agentkernel.store.ImageRecord;
import dev.agentkernel.store.ImageStore;
import dev.agentkernel.store.json.ImageRecordTranslator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code agentkernel images inspect NAME}: everything the store knows about one image. */
@Command(name = "inspect", mixinStandardHelpOptions = true, description = "Show the metadata of one stored image.")
final class ImagesInspectCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Parameters(paramLabel = "NAME", description = "Image name.")
    String name;

    @Override
    public Integer call() {
        ImageRecord r = new ImageStore(Main.home(spec)).get(name).orElseThrow(() -> new UserInputException(
                "no image named '" + name + "' (see 'agentkernel images')"));
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(ImageRecordTranslator.toJsonText(r));
        } else {
            printText(r, out);
        }
        out.flush();
        return 0;
    }

    private static void printText(ImageRecord r, PrintWriter out) {
        field(out, "Name", r.name());
        field(out, "Image ID", r.id().toString());
        field(out, "Size", HumanSize.format(r.size()) + " (" + r.size() + " bytes)");
        field(out, "Created", r.createdAt().toString());
        field(out, "Origin", r.origin().name().toLowerCase(Locale.ROOT));
        if (r.build() != null) {
            field(out, "Engine", r.build().engine() + " (" + r.build().engineReference() + ")");
            field(out, "Dockerfile", r.build().dockerfile().toString());
            field(out, "Context", r.build().context().toString());
        }
        if (r.source() != null) {
            field(out, "Source", r.source().reference());
            if (r.source().manifestDigest() != null) {
                field(out, "Manifest", r.source().manifestDigest().toString());
            }
            if (r.source().platform() != null) {
                field(out, "Platform", r.source().platform());
            }
        }
        out.println("Labels:" + (r.labels().isEmpty() ? " (none)" : ""));
        r.labels().forEach((k, v) -> out.println("  " + k + "=" + v));
    }

    private static void field(PrintWriter out, String label, String value) {
        out.printf(Locale.ROOT, "%-12s%s%n", label + ":", value);
    }
}
