package dev.agentkernel.builder;

import java.util.List;

/** Where COPY/ADD read from: the build context on the host, or an earlier stage's (or an image's) files. */
interface CopySource {
    /** The paths a source names (relative to the source's root, "" for the root), globs expanded; none is an error. */
    List<String> expand(String source, int line, String verb);

    boolean isDirectory(String rel);

    /** The names in directory {@code rel}, sorted. */
    List<String> children(String rel);

    /** Whether {@code rel} is invisible ({@code .dockerignore}). */
    default boolean excluded(String rel) {
        return false;
    }

    /** Whether nothing below an excluded directory can be included again. */
    default boolean canSkip(String rel) {
        return true;
    }

    /**
     * For ADD: the compression of {@code rel} when it is a local tar archive to unpack (only the build context has
     * them; an earlier stage's or an image's files are copied as they are).
     */
    default java.util.Optional<LocalArchive.Compression> archive(String rel) {
        return java.util.Optional.empty();
    }

    /** The file {@code rel} is on the host, for a source that has one (the build context). */
    default java.nio.file.Path hostPath(String rel) {
        throw new UnsupportedOperationException("no host file for " + rel);
    }

    /**
     * The entry {@code rel} becomes at {@code target}, with {@code owner}'s ids and mode applied (its own ids
     * where the source keeps them and no --chown was given); null when it is not copied.
     */
    PlannedEntry entry(String rel, String target, Ownership owner);

    /** The entry for a source named in the instruction: a symlink there is followed, as the reference does. */
    default PlannedEntry namedEntry(String rel, String target, Ownership owner) {
        return entry(rel, target, owner);
    }
}
