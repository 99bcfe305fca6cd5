package dev.agentkernel.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs an outside program for a test: argument vector, output drained on threads, a timeout, tree cleanup. */
public final class TestProcess {
    private TestProcess() {
    }

    public record Result(int exitCode, String stdout, String stderr) {
    }

    /** Runs {@code command} to completion; fails the test if it exceeds {@code timeout} or exits non-zero. */
    public static Result run(List<String> command, Duration timeout) throws IOException, InterruptedException {
        Result r = runAllowingFailure(command, timeout);
        if (r.exitCode != 0) {
            throw new AssertionError(String.join(" ", command) + " exited " + r.exitCode + ":\n" + r.stderr + r.stdout);
        }
        return r;
    }

    public static Result runAllowingFailure(List<String> command, Duration timeout)
            throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        try {
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> drain(p.getInputStream()));
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError(String.join(" ", command) + " did not finish within " + timeout);
            }
            return new Result(p.exitValue(), out.join(), err.join());
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    private static String drain(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
