package dev.agentkernel.builder;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** An entry of a layer being made, with where a file's bytes come from (null for entries without content). */
record PlannedEntry(TreeEntry entry, Content content) {
    /** Opens a file's bytes, exactly {@code entry.size()} of them. */
    @FunctionalInterface
    interface Content {
        InputStream open() throws IOException;
    }

    static PlannedEntry of(TreeEntry entry) {
        return new PlannedEntry(entry, null);
    }

    static PlannedEntry file(TreeEntry entry, Path host) {
        return new PlannedEntry(entry, () -> Files.newInputStream(host));
    }

    static PlannedEntry bytes(TreeEntry entry, byte[] bytes) {
        return new PlannedEntry(entry, () -> new ByteArrayInputStream(bytes));
    }

    InputStream open() throws IOException {
        return content == null ? InputStream.nullInputStream() : content.open();
    }

    PlannedEntry with(TreeEntry e) {
        return new PlannedEntry(e, content);
    }
}
