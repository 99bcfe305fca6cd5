package dev.agentkernel.image.source;

import dev.agentkernel.image.Image;

import java.util.function.Function;

/** An {@link ImageSource} backed by a {@link FileTree}: an OCI layout or a saved archive. */
final class TreeSource implements ImageSource {
    private final FileTree tree;
    private final Function<FileTree, Image> reader;
    private Image image;

    TreeSource(FileTree tree, Function<FileTree, Image> reader) {
        this.tree = tree;
        this.reader = reader;
    }

    @Override
    public synchronized Image image() {
        if (image == null) {
            image = reader.apply(tree);
        }
        return image;
    }

    @Override
    public void close() {
        tree.close();
    }
}
