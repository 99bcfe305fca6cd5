package dev.agentkernel.image.source;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** A {@link FileTree} over a directory; paths may not leave it. */
final class DirectoryTree implements FileTree {
    private final Path root;

    DirectoryTree(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    private Path resolve(String path) throws NoSuchFileException {
        Path p = root.resolve(path).normalize();
        if (!p.startsWith(root)) {
            throw new NoSuchFileException(path + " (outside " + root + ")");
        }
        return p;
    }

    @Override
    public boolean exists(String path) {
        try {
            return Files.isRegularFile(resolve(path));
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    @Override
    public long size(String path) throws IOException {
        Path p = resolve(path);
        if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(p)) {
            throw new NoSuchFileException(p.toString());
        }
        return Files.size(p);
    }

    @Override
    public InputStream open(String path) throws IOException {
        return Files.newInputStream(resolve(path));
    }

    @Override
    public String describe() {
        return root.toString();
    }

    @Override
    public void close() {
        // nothing held
    }
}
