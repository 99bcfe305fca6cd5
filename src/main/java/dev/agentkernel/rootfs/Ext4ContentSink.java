package dev.agentkernel.rootfs;

import dev.agentkernel.ext4.Ext4Writer;
import dev.agentkernel.ext4.FileContent;
import dev.agentkernel.layer.ContentRef;
import dev.agentkernel.layer.ContentSink;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/** Streams the flattener's file contents straight into the ext4 writer's data blocks. */
final class Ext4ContentSink implements ContentSink {
    /** The ext4 writer's handle, as the flattener's opaque reference. */
    record Stored(FileContent content) implements ContentRef {
    }

    private final Ext4Writer writer;

    Ext4ContentSink(Ext4Writer writer) {
        this.writer = writer;
    }

    @Override
    public ContentRef store(InputStream in, long length) throws IOException {
        return new Stored(writer.writeContent(in, length));
    }

    @Override
    public ContentRef storeSparse(InputStream data, long length, List<long[]> segments) throws IOException {
        return new Stored(writer.writeSparseContent(data, length, segments));
    }

    @Override
    public void discard(ContentRef ref) throws IOException {
        writer.discard(((Stored) ref).content());
    }

    static FileContent content(ContentRef ref) {
        return ((Stored) ref).content();
    }
}
