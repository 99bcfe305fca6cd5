package dev.agentkernel.image.source;

import dev.agentkernel.errors.Quote;
import dev.agentkernel.errors.UserInputException;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Where an image comes from, named the way skopeo and Podman name image transports:
 * {@code oci:DIR[:REF]}, {@code oci-archive:FILE[:REF]}, {@code docker-archive:FILE[:REF]},
 * {@code docker-daemon:REF}, {@code docker://REF}, or a bare NAME of the local image store.
 * As in skopeo, the path ends at the first colon after the transport.
 */
public sealed interface SourceSpec {

    /** An OCI image layout directory; {@code ref} matches {@code org.opencontainers.image.ref.name}. */
    record OciLayout(Path dir, Optional<String> ref) implements SourceSpec {
        @Override
        public String toString() {
            return "oci:" + dir + ref.map(r -> ":" + r).orElse("");
        }
    }

    /** A tar archive of an OCI image layout (skopeo's oci-archive). */
    record OciArchive(Path file, Optional<String> ref) implements SourceSpec {
        @Override
        public String toString() {
            return "oci-archive:" + file + ref.map(r -> ":" + r).orElse("");
        }
    }

    /** {@code docker save} / {@code podman save} output; {@code ref} matches one of the archive's RepoTags. */
    record DockerArchive(Path file, Optional<String> ref) implements SourceSpec {
        @Override
        public String toString() {
            return "docker-archive:" + file + ref.map(r -> ":" + r).orElse("");
        }
    }

    /** An image in a local Docker or Podman engine, exported with its {@code save} command. */
    record DockerDaemon(String ref) implements SourceSpec {
        @Override
        public String toString() {
            return "docker-daemon:" + ref;
        }
    }

    /** An image in a registry, {@code docker://REF}; read by the registry package's RegistrySource. */
    record Registry(String reference) implements SourceSpec {
        @Override
        public String toString() {
            return "docker://" + reference;
        }
    }

    /** An image of agentkernel's own image store ({@code agentkernel images}). */
    record LocalImage(String name) implements SourceSpec {
        @Override
        public String toString() {
            return name;
        }
    }

    /** Parses a source as the CLI takes it; bad text is a {@link UserInputException}. */
    static SourceSpec parse(String text) {
        if (text == null || text.isBlank()) {
            throw new UserInputException("empty image source");
        }
        if (text.startsWith("docker://")) {
            String ref = text.substring("docker://".length());
            if (ref.isEmpty()) {
                throw new UserInputException("docker:// needs an image reference, e.g. docker://alpine:3.20");
            }
            return new Registry(ref);
        }
        int colon = text.indexOf(':');
        String transport = colon < 0 ? "" : text.substring(0, colon);
        String rest = colon < 0 ? "" : text.substring(colon + 1);
        switch (transport) {
            case "oci":
                return new OciLayout(path(text, rest), ref(rest));
            case "oci-archive":
                return new OciArchive(path(text, rest), ref(rest));
            case "docker-archive":
                return new DockerArchive(path(text, rest), ref(rest));
            case "docker-daemon":
                if (rest.isEmpty()) {
                    throw new UserInputException("docker-daemon: needs an image reference, e.g. docker-daemon:myimage:latest");
                }
                return new DockerDaemon(rest);
            case "docker", "dir", "containers-storage":
                throw new UserInputException("unsupported image source " + Quote.name(text) + ": use oci:, oci-archive:, "
                        + "docker-archive:, docker-daemon:, docker://REF or a local image name");
            default:
                if (text.startsWith("/") || text.startsWith("./") || text.startsWith("../")) {
                    throw new UserInputException(Quote.name(text) + " looks like a path: say which format it is, e.g. "
                            + "oci:" + Quote.escape(text, Quote.MAX_CHARS) + " (or oci-archive:, docker-archive:)");
                }
                return new LocalImage(text);
        }
    }

    private static Path path(String text, String rest) {
        int colon = rest.indexOf(':');
        String path = colon < 0 ? rest : rest.substring(0, colon);
        if (path.isEmpty()) {
            throw new UserInputException("image source " + Quote.name(text) + " names no path");
        }
        try {
            return Path.of(path);
        } catch (java.nio.file.InvalidPathException e) {
            throw new UserInputException("image source " + Quote.name(text) + " is not a valid path: " + e.getReason());
        }
    }

    private static Optional<String> ref(String rest) {
        int colon = rest.indexOf(':');
        if (colon < 0 || colon == rest.length() - 1) {
            return Optional.empty();
        }
        return Optional.of(rest.substring(colon + 1));
    }
}
