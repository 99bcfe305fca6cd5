package dev.agentkernel.image;

import dev.agentkernel.errors.UserInputException;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A reference to an image in a registry, parsed by Docker's rules (the grammar of distribution/reference):
 * {@code [registry[:port]/]repository[:tag][@digest]}.
 * <ul>
 *   <li>The first path component is a registry only when it contains a {@code .} or {@code :}, is
 *       {@code localhost}, or has upper-case letters; otherwise the registry is {@code docker.io}.</li>
 *   <li>On {@code docker.io} a single-component repository is put under {@code library/}
 *       ({@code python} is {@code docker.io/library/python}); the API of docker.io is at
 *       {@code registry-1.docker.io}.</li>
 *   <li>Without tag and digest the tag is {@code latest}. With both, the digest decides what is fetched.</li>
 * </ul>
 */
public final class ImageReference {
    public static final String DOCKER_HUB = "docker.io";
    public static final String DOCKER_HUB_API_HOST = "registry-1.docker.io";
    public static final String DEFAULT_TAG = "latest";

    private static final int MAX_NAME_LENGTH = 255;
    private static final String DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    private static final Pattern DOMAIN = Pattern.compile(
            "(?:" + DOMAIN_COMPONENT + "(?:\\." + DOMAIN_COMPONENT + ")*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?");
    private static final Pattern PATH_COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
    private static final Pattern HEX_ID = Pattern.compile("[a-f0-9]{64}");

    private final String registry;
    private final String repository;
    private final String tag;
    private final Digest digest;

    private ImageReference(String registry, String repository, String tag, Digest digest) {
        this.registry = registry;
        this.repository = repository;
        this.tag = tag;
        this.digest = digest;
    }

    /** Parses a reference; throws {@link UserInputException} saying what is wrong with a malformed one. */
    public static ImageReference parse(String text) {
        Objects.requireNonNull(text, "reference");
        if (text.isEmpty()) {
            throw malformed(text, "it is empty");
        }
        if (!text.equals(text.strip())) {
            throw malformed(text, "it has leading or trailing white space");
        }
        String rest = text;
        Digest digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            String digestText = rest.substring(at + 1);
            try {
                digest = Digest.parse(digestText);
            } catch (IllegalArgumentException e) {
                throw malformed(text, "'" + digestText + "' is not a digest (expected sha256:<64 hex digits>)");
            }
            rest = rest.substring(0, at);
        }
        String tag = null;
        int lastColon = rest.lastIndexOf(':');
        if (lastColon > rest.lastIndexOf('/')) {
            tag = rest.substring(lastColon + 1);
            rest = rest.substring(0, lastColon);
            if (!TAG.matcher(tag).matches()) {
                throw malformed(text, "'" + tag + "' is not a valid tag (letters, digits, '_', '.', '-', at most"
                        + " 128, not starting with '.' or '-')");
            }
        }
        if (rest.isEmpty()) {
            throw malformed(text, "the repository name is missing");
        }
        if (HEX_ID.matcher(rest).matches()) {
            throw malformed(text, "a 64-digit hexadecimal string is an image id, not a repository name");
        }
        String registry = DOCKER_HUB;
        String remainder = rest;
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            String first = rest.substring(0, slash);
            if (looksLikeRegistry(first)) {
                registry = first;
                remainder = rest.substring(slash + 1);
                if (!DOMAIN.matcher(registry).matches()) {
                    throw malformed(text, "'" + registry + "' is not a valid registry host[:port]");
                }
            }
        }
        if (registry.equals("index.docker.io")) {
            registry = DOCKER_HUB;
        }
        validateRepository(text, remainder);
        if (registry.equals(DOCKER_HUB) && remainder.indexOf('/') < 0) {
            remainder = "library/" + remainder;
        }
        if (registry.length() + 1 + remainder.length() > MAX_NAME_LENGTH) {
            throw malformed(text, "the name is longer than " + MAX_NAME_LENGTH + " characters");
        }
        if (tag == null && digest == null) {
            tag = DEFAULT_TAG;
        }
        return new ImageReference(registry, remainder, tag, digest);
    }

    private static boolean looksLikeRegistry(String first) {
        return first.contains(".") || first.contains(":") || first.equals("localhost")
                || !first.toLowerCase(Locale.ROOT).equals(first);
    }

    private static void validateRepository(String text, String repository) {
        if (repository.isEmpty()) {
            throw malformed(text, "the repository name is missing");
        }
        for (String component : repository.split("/", -1)) {
            if (component.isEmpty()) {
                throw malformed(text, "the repository has an empty path component");
            }
            if (!PATH_COMPONENT.matcher(component).matches()) {
                if (!component.toLowerCase(Locale.ROOT).equals(component)) {
                    throw malformed(text, "repository names must be lower-case ('" + component + "')");
                }
                throw malformed(text, "'" + component + "' is not a valid repository path component (lower-case"
                        + " letters and digits, separated by '.', '_', '__' or '-')");
            }
        }
    }

    private static UserInputException malformed(String text, String why) {
        return new UserInputException("invalid image reference '" + text + "': " + why);
    }

    /** The registry as written (normalized for Docker Hub): {@code docker.io}, {@code localhost:5000}. */
    public String registry() {
        return registry;
    }

    /** The host[:port] that serves the registry API ({@code registry-1.docker.io} for Docker Hub). */
    public String apiHost() {
        return registry.equals(DOCKER_HUB) ? DOCKER_HUB_API_HOST : registry;
    }

    /** The host name without a port, in lower case (for deciding whether plain HTTP is allowed). */
    public String hostName() {
        String host = registry;
        if (host.startsWith("[")) {
            return host.substring(1, host.indexOf(']')).toLowerCase(Locale.ROOT);
        }
        int colon = host.lastIndexOf(':');
        return (colon >= 0 ? host.substring(0, colon) : host).toLowerCase(Locale.ROOT);
    }

    /** Whether the registry is this machine ({@code localhost}, {@code 127.0.0.1}, {@code [::1]}). */
    public boolean isLoopback() {
        String host = hostName();
        return host.equals("localhost") || host.equals("127.0.0.1") || host.equals("::1");
    }

    /** The repository path, with {@code library/} for official Docker Hub images. */
    public String repository() {
        return repository;
    }

    /** The tag as written, {@code latest} when neither tag nor digest was written, none for a digest alone. */
    public Optional<String> tag() {
        return Optional.ofNullable(tag);
    }

    public Optional<Digest> digest() {
        return Optional.ofNullable(digest);
    }

    /** What to ask the manifests endpoint for: the digest if given, else the tag, else {@code latest}. */
    public String manifestReference() {
        if (digest != null) {
            return digest.toString();
        }
        return tag != null ? tag : DEFAULT_TAG;
    }

    /** The same reference pinned to {@code digest} (keeping the tag for display). */
    public ImageReference withDigest(Digest newDigest) {
        return new ImageReference(registry, repository, tag, Objects.requireNonNull(newDigest));
    }

    /** The full form, {@code registry/repository[:tag][@digest]}. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(registry).append('/').append(repository);
        if (tag != null) {
            s.append(':').append(tag);
        }
        if (digest != null) {
            s.append('@').append(digest);
        }
        return s.toString();
    }

    /** The short form Docker shows: {@code python:3.12} for {@code docker.io/library/python:3.12}. */
    public String familiarString() {
        String full = toString();
        if (registry.equals(DOCKER_HUB)) {
            String path = full.substring(DOCKER_HUB.length() + 1);
            if (path.startsWith("library/") && path.indexOf('/', "library/".length()) < 0) {
                return path.substring("library/".length());
            }
            // "docker.io/a.b/c" must keep its registry: "a.b/c" alone would name the registry a.b.
            int slash = path.indexOf('/');
            return slash > 0 && looksLikeRegistry(path.substring(0, slash)) ? full : path;
        }
        return full;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImageReference r && r.registry.equals(registry) && r.repository.equals(repository)
                && Objects.equals(r.tag, tag) && Objects.equals(r.digest, digest);
    }

    @Override
    public int hashCode() {
        return Objects.hash(registry, repository, tag, digest);
    }
}
