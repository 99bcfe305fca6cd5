package dev.agentkernel.copy;

import dev.agentkernel.errors.Quote;
import dev.agentkernel.errors.UserInputException;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A path as {@code docker cp} reads one side: the path cleaned of {@code .}, {@code ..} (lexically) and repeated
 * slashes, and the two forms its end can have: a trailing {@code /} (it must be a directory) and a final
 * {@code /.} (a directory's contents rather than the directory).
 *
 * @param path the cleaned path ({@code /} alone for the root; relative paths stay relative, {@code .} for the
 *             current directory)
 */
public record CopyPath(String path, boolean trailingSlash, boolean contents) {
    public static CopyPath of(String raw) {
        if (raw.isEmpty()) {
            throw new UserInputException("a path is empty");
        }
        if (raw.indexOf('\0') >= 0) {
            throw new UserInputException("the path " + Quote.name(raw) + " contains a NUL character");
        }
        boolean absolute = raw.startsWith("/");
        boolean contents = raw.equals(".") || raw.endsWith("/.");
        boolean trailingSlash = contents || raw.endsWith("/");
        Deque<String> parts = new ArrayDeque<>();
        for (String part : raw.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (!parts.isEmpty() && !parts.peekLast().equals("..")) {
                    parts.removeLast();
                } else if (!absolute) {
                    parts.addLast(part);
                }
                continue;
            }
            parts.addLast(part);
        }
        String joined = String.join("/", parts);
        String path = absolute ? "/" + joined : joined.isEmpty() ? "." : joined;
        return new CopyPath(path, trailingSlash && !path.equals("/"), contents);
    }

    /** The last name of the path; null for {@code /} and {@code .}, which have none. */
    public String baseName() {
        if (path.equals("/") || path.equals(".") || path.endsWith("/..") || path.equals("..")) {
            return null;
        }
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** Whether the path must name a directory (it ends with {@code /} or {@code /.}). */
    public boolean mustBeDirectory() {
        return trailingSlash || contents;
    }

    /** {@code name} under this path. */
    public String child(String name) {
        return path.equals("/") ? "/" + name : path + "/" + name;
    }

    @Override
    public String toString() {
        return contents ? child(".") : trailingSlash ? path + "/" : path;
    }
}
