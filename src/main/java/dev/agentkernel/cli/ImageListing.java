package dev.agentkernel.cli;

import dev.agentkernel.store.ImageRecord;
import dev.agentkernel.store.ImageStore;
import dev.agentkernel.store.json.ImageRecordTranslator;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/** Prints the store's images as a table or JSON; unreadable metadata files become warnings and exit code 1. */
final class ImageListing {
    private static final String[] HEADER = {"NAME", "IMAGE ID", "SIZE", "CREATED", "ORIGIN"};

    private ImageListing() {
    }

    static int print(ImageStore store, boolean json, PrintWriter out, PrintWriter err) {
        ImageStore.Listing listing = store.list();
        if (json) {
            out.println(ImageRecordTranslator.toJsonText(listing.images()));
        } else {
            printTable(listing.images(), out);
        }
        out.flush();
        return Warnings.print(listing.problems().stream().map(p -> "skipped " + p).toList(), err);
    }

    private static void printTable(List<ImageRecord> images, PrintWriter out) {
        Table table = new Table(HEADER);
        for (ImageRecord r : images) {
            table.row(r.name(), r.id().shortHex(), HumanSize.format(r.size()), r.createdAt().toString(),
                    r.origin().name().toLowerCase(Locale.ROOT));
        }
        table.print(out);
    }
}
