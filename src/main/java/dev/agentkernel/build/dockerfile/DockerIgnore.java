package dev.agentkernel.build.dockerfile;

import dev.agentkernel.errors.UserInputException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A build context's {@code .dockerignore}: which context paths COPY and ADD must not see. The rules are the
 * reference's: one pattern a line, lines starting with {@code #} are comments, surrounding whitespace is
 * ignored, a leading {@code /} means the same as none; a path is excluded when it or one of its parent
 * directories matches a pattern, and the last pattern that matches decides, so a later {@code !exception}
 * re-includes what an earlier pattern excluded (and a later pattern can exclude it again).
 */
public final class DockerIgnore {
    /** A larger ignore file is refused rather than read. */
    public static final int MAX_BYTES = 1024 * 1024;

    private final List<IgnorePattern> patterns;
    private final boolean hasExceptions;

    private DockerIgnore(List<IgnorePattern> patterns) {
        this.patterns = List.copyOf(patterns);
        this.hasExceptions = patterns.stream().anyMatch(IgnorePattern::exception);
    }

    /** Ignores nothing. */
    public static DockerIgnore none() {
        return new DockerIgnore(List.of());
    }

    /** Parses an ignore file's text; a malformed pattern is a {@link UserInputException} naming its line. */
    public static DockerIgnore parse(String text) {
        List<IgnorePattern> patterns = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (i == 0 && line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
            if (line.startsWith("#")) {
                continue;
            }
            String p = line.strip();
            if (p.isEmpty()) {
                continue;
            }
            boolean invert = p.startsWith("!");
            if (invert) {
                p = p.substring(1).strip();
            }
            if (!p.isEmpty()) {
                p = IgnorePattern.cleanPath(p);
                if (p.length() > 1 && p.startsWith("/")) {
                    p = p.substring(1);
                }
            }
            try {
                patterns.add(IgnorePattern.of(invert ? "!" + p : p));
            } catch (IllegalArgumentException e) {
                throw new UserInputException(".dockerignore line " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return new DockerIgnore(patterns);
    }

    /**
     * The ignore file for a build: {@code <Dockerfile>.dockerignore} beside the Dockerfile if there is one (the
     * reference's per-Dockerfile ignore file), else {@code .dockerignore} at the context's root, else none.
     */
    public static DockerIgnore forBuild(Path context, Path dockerfile) {
        Path specific = dockerfile.resolveSibling(dockerfile.getFileName() + ".dockerignore");
        if (Files.isRegularFile(specific)) {
            return read(specific);
        }
        Path common = context.resolve(".dockerignore");
        return Files.exists(common) ? read(common) : none();
    }

    /** Reads and parses an ignore file (at most {@link #MAX_BYTES}). */
    public static DockerIgnore read(Path file) {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        } catch (NoSuchFileException e) {
            return none();
        } catch (IOException e) {
            throw new UserInputException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (bytes.length > MAX_BYTES) {
            throw new UserInputException(file + " is larger than 1 MiB; that is not an ignore file");
        }
        try {
            return parse(new String(bytes, StandardCharsets.UTF_8));
        } catch (UserInputException e) {
            throw new UserInputException(file + ": " + e.getMessage(), e);
        }
    }

    public List<IgnorePattern> patterns() {
        return patterns;
    }

    /** Whether any pattern is an exception, so that an excluded directory may still hold included paths. */
    public boolean hasExceptions() {
        return hasExceptions;
    }

    /**
     * Whether {@code path} (relative to the context, {@code /}-separated, no leading {@code /}) is excluded.
     * The context's root itself is never excluded.
     */
    public boolean excludes(String path) {
        String file = IgnorePattern.cleanPath(path);
        if (file.equals(".")) {
            return false;
        }
        String[] parents = parentDirs(file);
        boolean matched = false;
        for (IgnorePattern p : patterns) {
            if (p.exception() != matched) {
                continue;
            }
            boolean match = p.matches(file);
            if (!match) {
                StringBuilder parent = new StringBuilder();
                for (String dir : parents) {
                    if (parent.length() > 0) {
                        parent.append('/');
                    }
                    parent.append(dir);
                    if (p.matches(parent.toString())) {
                        match = true;
                        break;
                    }
                }
            }
            if (match) {
                matched = !p.exception();
            }
        }
        return matched;
    }

    /**
     * Whether a walk of the context can skip directory {@code dir} entirely: it is excluded and no exception
     * pattern could bring back anything inside it.
     */
    public boolean canSkipDirectory(String dir) {
        return !hasExceptions && excludes(dir);
    }

    private static String[] parentDirs(String file) {
        int slash = file.lastIndexOf('/');
        return slash <= 0 ? new String[0] : file.substring(0, slash).split("/");
    }
}
