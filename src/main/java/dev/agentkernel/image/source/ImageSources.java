package dev.agentkernel.image.source;

import dev.agentkernel.errors.ImageException;
import dev.agentkernel.errors.Quote;
import dev.agentkernel.errors.UserInputException;

import java.nio.file.Files;
import java.nio.file.Path;

/** Opens the {@link ImageSource} for a {@link SourceSpec}: one class per transport. */
public final class ImageSources {
    private ImageSources() {
    }

    public static ImageSource open(SourceSpec spec, SourceOptions options) {
        if (spec instanceof SourceSpec.OciLayout s) {
            requireDirectory(s.dir(), "OCI layout directory");
            return new TreeSource(new DirectoryTree(s.dir()),
                    tree -> OciLayoutReader.read(tree, s.ref(), options.platform(), spec.toString()));
        }
        if (spec instanceof SourceSpec.OciArchive s) {
            requireFile(s.file(), "OCI archive");
            return new TreeSource(TarTree.open(s.file()),
                    tree -> OciLayoutReader.read(tree, s.ref(), options.platform(), spec.toString()));
        }
        if (spec instanceof SourceSpec.DockerArchive s) {
            requireFile(s.file(), "Docker archive");
            return dockerArchive(TarTree.open(s.file()), s.ref(), spec.toString());
        }
        if (spec instanceof SourceSpec.DockerDaemon s) {
            return DockerDaemonSource.open(s, options);
        }
        if (spec instanceof SourceSpec.LocalImage s) {
            return LocalImageSource.open(s, options);
        }
        if (spec instanceof SourceSpec.Registry s) {
            return RegistrySource.open(s, options);
        }
        throw new UserInputException("unsupported image source " + Quote.name(spec.toString()));
    }

    /** A docker-archive tree; Docker 25+ writes an OCI layout next to manifest.json, which is read the same way. */
    static ImageSource dockerArchive(FileTree tree, java.util.Optional<String> ref, String name) {
        return new TreeSource(tree, t -> DockerArchiveReader.read(t, ref, name));
    }

    private static void requireDirectory(Path dir, String what) {
        if (!Files.isDirectory(dir)) {
            throw new ImageException(what + " " + Quote.name(dir.toString())
                    + (Files.exists(dir) ? " is not a directory" : " does not exist"));
        }
    }

    private static void requireFile(Path file, String what) {
        if (!Files.isRegularFile(file)) {
            throw new ImageException(what + " " + Quote.name(file.toString())
                    + (Files.exists(file) ? " is not a file" : " does not exist"));
        }
    }
}
