package dev.agentkernel.agent;

/** Paths in the guest as requests carry them: absolute, without NUL. */
final class GuestPaths {
    private GuestPaths() {
    }

    static void requireAbsolute(String path) {
        if (path == null || !path.startsWith("/") || path.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a guest path must be absolute and without NUL: " + path);
        }
    }
}
