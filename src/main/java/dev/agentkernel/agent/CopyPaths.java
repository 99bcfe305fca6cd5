package dev.agentkernel.agent;

import java.nio.charset.StandardCharsets;

/**
 * The paths of a copy's entries: {@code .} (the root), or relative with {@code /} between names, no empty,
 * {@code .} or {@code ..} name, no NUL, well-formed Unicode, at most {@value #MAX_PATH_BYTES} bytes of UTF-8
 * and {@value #MAX_NAME_BYTES} per name.
 */
public final class CopyPaths {
    public static final int MAX_PATH_BYTES = 4096;
    public static final int MAX_NAME_BYTES = 255;
    public static final String ROOT = ".";

    private CopyPaths() {
    }

    /** What is wrong with {@code path}, or null when it is a valid entry path. */
    public static String problem(String path) {
        if (path.equals(ROOT)) {
            return null;
        }
        if (path.isEmpty()) {
            return "is empty";
        }
        if (path.getBytes(StandardCharsets.UTF_8).length > MAX_PATH_BYTES) {
            return "is longer than " + MAX_PATH_BYTES + " bytes";
        }
        if (path.startsWith("/")) {
            return "is absolute";
        }
        int start = 0;
        while (start <= path.length()) {
            int slash = path.indexOf('/', start);
            int end = slash < 0 ? path.length() : slash;
            String name = path.substring(start, end);
            if (name.isEmpty() || name.equals(".") || name.equals("..")) {
                return "has an empty, '.' or '..' name";
            }
            if (name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
                return "has a name longer than " + MAX_NAME_BYTES + " bytes";
            }
            if (slash < 0) {
                break;
            }
            start = slash + 1;
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == 0) {
                return "holds a NUL character";
            }
            if (Character.isSurrogate(c)) {
                if (!Character.isHighSurrogate(c) || i + 1 == path.length()
                        || !Character.isLowSurrogate(path.charAt(i + 1))) {
                    return "is not well-formed Unicode";
                }
                i++;
            }
        }
        return null;
    }

    /** The path's parent entry ({@code .} for a top-level name); not for the root. */
    public static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? ROOT : path.substring(0, slash);
    }

    /** The last name of the path. */
    public static String name(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** {@code child} under {@code parent} ({@code .} or a relative path). */
    public static String join(String parent, String child) {
        return parent.equals(ROOT) ? child : parent + "/" + child;
    }
}
