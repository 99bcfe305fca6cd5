package dev.agentkernel.ext4;

import dev.agentkernel.testing.RequiredTools;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs e2fsck, debugfs, mount and friends for the tests: argument vectors, drained output, timeouts. */
final class Tools {
    record Result(int exitCode, String stdout, String stderr) {
        String all() {
            return stdout + stderr;
        }
    }

    private Tools() {
    }

    static Result run(List<String> command, long timeoutSeconds) {
        return run(command, "", timeoutSeconds);
    }

    static Result run(List<String> command, String stdin, long timeoutSeconds) {
        try {
            Process p = new ProcessBuilder(command).start();
            try (var in = p.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            CompletableFuture<String> out = drain(p.getInputStream());
            CompletableFuture<String> err = drain(p.getErrorStream());
            try {
                if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    throw new AssertionError(command + " timed out after " + timeoutSeconds + " s");
                }
                return new Result(p.exitValue(), out.join(), err.join());
            } finally {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static CompletableFuture<String> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                ByteArrayOutputStream buffer = new ByteArrayOutputStream();
                in.transferTo(buffer);
                return buffer.toString(StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** e2fsck -fn: must exit 0 (the caller asserts on the result). */
    static Result fsck(Path image) {
        Path e2fsck = RequiredTools.require("e2fsck");
        return run(List.of(e2fsck.toString(), "-fn", image.toString()), 600);
    }

    /**
     * e2fsck -fn must exit 0 and say nothing beyond its five pass headers and the summary line: a problem it
     * would have fixed (and -n declined) shows up as text even where the exit code forgives it.
     */
    static void assertFsckClean(Path image) {
        Result r = fsck(image);
        if (r.exitCode() != 0) {
            throw new AssertionError("e2fsck -fn exited " + r.exitCode() + ":\n" + r.all());
        }
        for (String line : r.stdout().split("\n")) {
            if (!line.isBlank() && !line.matches("Pass \\d[A-Za-z]?: .*") && !line.matches(".*: \\d+/\\d+ files .*")) {
                throw new AssertionError("e2fsck -fn complained: " + line + "\n" + r.all());
            }
        }
        if (!r.stderr().strip().matches("e2fsck [0-9.]+ \\(.*\\)")) {
            throw new AssertionError("e2fsck -fn complained on stderr:\n" + r.all());
        }
    }

    /** dumpe2fs -h: the superblock summary. */
    static String dumpe2fsHeader(Path image) {
        Path dumpe2fs = RequiredTools.require("dumpe2fs");
        return run(List.of(dumpe2fs.toString(), "-h", image.toString()), 60).stdout();
    }

    /** One debugfs request (read-only); returns its output. */
    static String debugfs(Path image, String request) {
        Path debugfs = RequiredTools.require("debugfs");
        Result r = run(List.of(debugfs.toString(), "-R", request, image.toString()), 300);
        if (r.exitCode() != 0) {
            throw new AssertionError("debugfs failed: " + r.all());
        }
        return r.stdout();
    }

    /** Many debugfs requests in one run; returns each request's output, in order. */
    static List<String> debugfsBatch(Path image, List<String> requests) {
        Path debugfs = RequiredTools.require("debugfs");
        List<String> command = List.of(debugfs.toString(), "-f", "-", image.toString());
        Result r = run(command, String.join("\n", requests) + "\n", 300);
        if (r.exitCode() != 0) {
            throw new AssertionError("debugfs failed: " + r.all());
        }
        List<String> outputs = new ArrayList<>();
        StringBuilder current = null;
        for (String line : r.stdout().split("\n", -1)) {
            if (line.startsWith("debugfs: ")) {
                if (current != null) {
                    outputs.add(current.toString());
                }
                current = new StringBuilder();
            } else if (current != null) {
                current.append(line).append('\n');
            }
        }
        if (current != null) {
            outputs.add(current.toString());
        }
        return outputs;
    }
}
