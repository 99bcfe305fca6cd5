package dev.agentkernel.image.source;

import dev.agentkernel.engine.ArchiveFormat;
import dev.agentkernel.engine.ContainerEngine;
import dev.agentkernel.errors.StoreException;
import dev.agentkernel.image.Image;
import dev.agentkernel.store.AtomicFiles;
import dev.agentkernel.store.TemporaryFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * An image exported from a container engine with its {@code save} command into a temporary docker-archive
 * under the data directory's scratch space, read in place, and deleted when the source is closed.
 */
final class ExportedArchiveSource implements ImageSource {
    private final Path archive;
    private final ImageSource inner;

    private ExportedArchiveSource(Path archive, ImageSource inner) {
        this.archive = archive;
        this.inner = inner;
    }

    static ImageSource export(ContainerEngine engine, String ref, SourceOptions options, String sourceName) {
        Path archive;
        try {
            Files.createDirectories(options.home().tmp());
            // exports of runs that were killed (SIGKILL runs no clean-up) go first
            TemporaryFiles.sweep(options.home().tmp(), "export-*.tar");
            archive = Files.createTempFile(options.home().tmp(), "export-" + TemporaryFiles.ownerTag() + "-", ".tar");
        } catch (IOException e) {
            throw new StoreException("cannot create a temporary file in " + options.home().tmp() + ": "
                    + e.getMessage(), e);
        }
        try {
            engine.save(ref, archive, ArchiveFormat.DOCKER_ARCHIVE);
            return new ExportedArchiveSource(archive,
                    ImageSources.dockerArchive(TarTree.open(archive), Optional.empty(), sourceName));
        } catch (RuntimeException e) {
            AtomicFiles.deleteQuietly(archive);
            throw e;
        }
    }

    @Override
    public Image image() {
        return inner.image();
    }

    @Override
    public void close() {
        try {
            inner.close();
        } finally {
            AtomicFiles.deleteQuietly(archive);
        }
    }
}
