package dev.agentkernel.vm;

import dev.agentkernel.errors.ToolException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a short outside program with an argument vector, its output drained on threads, and a time limit. */
final class Subprocess {
    private Subprocess() {
    }

    record Result(int exitCode, byte[] stdout, String stderr) {
    }

    /** Runs {@code command}; a missing program or a time-out is a {@link ToolException}. */
    static Result run(List<String> command, Duration timeout) {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException e) {
            throw new ToolException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
        }
        try {
            Drain out = Drain.start(process.getInputStream());
            Drain err = Drain.start(process.getErrorStream());
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new ToolException(command.get(0) + " did not finish within " + timeout.toSeconds() + " s");
            }
            return new Result(process.exitValue(), out.bytes(), new String(err.bytes()).trim());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ToolException("interrupted while running " + command.get(0), e);
        } finally {
            destroyTree(process.toHandle());
        }
    }

    /** Kills a process and everything it started. */
    static void destroyTree(ProcessHandle process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    /** Reads a stream to its end on its own thread. */
    static final class Drain {
        private final Thread thread;
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private volatile IOException failure;

        private Drain(InputStream in) {
            thread = new Thread(() -> {
                try (in) {
                    in.transferTo(buffer);
                } catch (IOException e) {
                    failure = e;
                }
            }, "subprocess-drain");
            thread.setDaemon(true);
        }

        static Drain start(InputStream in) {
            Drain drain = new Drain(in);
            drain.thread.start();
            return drain;
        }

        byte[] bytes() throws InterruptedException {
            thread.join(10_000);
            if (failure != null) {
                throw new UncheckedIOException(failure);
            }
            synchronized (buffer) {
                return buffer.toByteArray();
            }
        }
    }
}
