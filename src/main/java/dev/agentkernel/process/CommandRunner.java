package dev.agentkernel.process;

import dev.agentkernel.errors.ToolException;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs an outside program (container engines, QEMU probes, cp, xz, credential helpers) from an argument vector
 * (never a shell string): stdin from {@code /dev/null} or a given text, stdout
 * and stderr drained line by line on their own threads (optionally streamed to the user as they come), a
 * timeout, and the whole process tree destroyed on every way out that leaves it running.
 */
public final class CommandRunner {
    /** Bytes of stdout kept for the caller; inspect output is small, build output is streamed instead. */
    private static final int MAX_CAPTURED_STDOUT = 8 << 20;
    /** Lines of stderr kept, the last ones, for error messages. */
    private static final int MAX_STDERR_LINES = 200;
    /** Characters of one line of stderr kept at most (stdout's lines are bounded by what is captured of it). */
    static final int MAX_LINE_CHARS = 16 << 10;
    /** How long to wait for output threads once the process exited (a grandchild may hold the pipe). */
    private static final Duration DRAIN_GRACE = Duration.ofSeconds(10);

    private CommandRunner() {
    }

    /** How a finished program ended and what it printed. */
    public record Result(List<String> command, int exitCode, String stdout, String stderr) {
        public boolean succeeded() {
            return exitCode == 0;
        }

        /** The last non-blank line of stderr (or stdout), for a one-line error message. */
        public String lastErrorLine() {
            String line = lastNonBlankLine(stderr);
            return line.isEmpty() ? lastNonBlankLine(stdout) : line;
        }

        private static String lastNonBlankLine(String text) {
            String[] lines = text.strip().split("\n");
            return lines.length == 0 ? "" : lines[lines.length - 1].strip();
        }
    }

    /** Runs {@code command}, capturing its output. */
    public static Result run(List<String> command, Duration timeout) {
        return run(command, timeout, null);
    }

    /**
     * Runs {@code command}; every line of stdout and stderr is also handed to {@code live} as it arrives (from
     * the reader threads, one line at a time) when it is not null.
     *
     * @throws ToolException when the program cannot be started or does not finish within {@code timeout}
     */
    public static Result run(List<String> command, Duration timeout, Consumer<String> live) {
        return execute(command, timeout, live, null, null);
    }

    /** Runs {@code command} with {@code input} (UTF-8) as its standard input. */
    public static Result runWithInput(List<String> command, Duration timeout, String input) {
        return execute(command, timeout, null, null, input);
    }

    /**
     * Runs {@code command} with its stdout written to {@code stdoutFile} (for binary output, which the line
     * readers would mangle); the result's stdout is empty.
     */
    public static Result runToFile(List<String> command, Duration timeout, Path stdoutFile) {
        return execute(command, timeout, null, stdoutFile, null);
    }

    private static Result execute(List<String> command, Duration timeout, Consumer<String> live, Path stdoutFile,
                                  String input) {
        String program = command.get(0);
        ProcessBuilder builder = new ProcessBuilder(command).redirectInput(input != null
                ? ProcessBuilder.Redirect.PIPE : ProcessBuilder.Redirect.from(new File("/dev/null")));
        if (stdoutFile != null) {
            builder.redirectOutput(stdoutFile.toFile());
        }
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new ToolException("could not start " + program + ": " + e.getMessage(), e);
        }
        // A JVM stopped by a signal runs shutdown hooks but no finally blocks: take the tree down with it.
        Thread onExit = new Thread(() -> destroyTree(process), program + "-cleanup");
        Runtime.getRuntime().addShutdownHook(onExit);
        Consumer<String> sink = live == null ? null : line -> {
            synchronized (live) {
                live.accept(line);
            }
        };
        StdoutCollector stdout = new StdoutCollector();
        StderrCollector stderr = new StderrCollector();
        Thread outThread = drain(process.getInputStream(), program + "-stdout", MAX_CAPTURED_STDOUT, line -> {
            stdout.add(line);
            if (sink != null) {
                sink.accept(line);
            }
        });
        Thread errThread = drain(process.getErrorStream(), program + "-stderr", MAX_LINE_CHARS, line -> {
            stderr.add(line);
            if (sink != null) {
                sink.accept(line);
            }
        });
        try {
            if (input != null) {
                writeInput(process, input);
            }
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                destroyTree(process);
                throw new ToolException(String.join(" ", command.subList(0, Math.min(2, command.size())))
                        + " did not finish within " + describe(timeout) + " and was stopped");
            }
            join(outThread);
            join(errThread);
            return new Result(List.copyOf(command), process.exitValue(), stdout.text(), stderr.text());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ToolException(program + " was interrupted", e);
        } finally {
            if (process.isAlive()) {
                destroyTree(process);
            }
            removeShutdownHook(onExit);
        }
    }

    /** Writes all of the input and closes the pipe; a program that exits without reading it is not an error. */
    private static void writeInput(Process process, String input) {
        try (OutputStream stdin = process.getOutputStream()) {
            stdin.write(input.getBytes(StandardCharsets.UTF_8));
        } catch (IOException programEndedFirst) {
            // its exit code and output tell what happened
        }
    }

    /** Removes a clean-up hook once its work is done; when the JVM is already exiting the hook runs anyway. */
    public static void removeShutdownHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The JVM is exiting and the hook is running or about to: it does the clean-up.
        }
    }

    /** Stops a process and all its descendants: politely, then after a moment by force. */
    public static void destroyTree(Process process) {
        // Collect descendants first: once the parent dies they are re-parented and no longer found.
        List<ProcessHandle> tree = process.descendants().toList();
        process.destroy();
        tree.forEach(ProcessHandle::destroy);
        try {
            if (!process.waitFor(3, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    private static Thread drain(InputStream stream, String name, int maxLine, Consumer<String> onLine) {
        Thread thread = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                for (String line; (line = readBoundedLine(reader, maxLine)) != null; ) {
                    onLine.accept(line);
                }
            } catch (IOException ignored) {
                // The pipe closed under us because the process was destroyed; its exit status tells the story.
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /**
     * The next line (without its end: \n, \r\n or \r), at most {@code max} characters of it: a longer
     * line keeps its head and says how much was dropped, so one line without an end (a progress bar, a binary
     * blob) costs bounded memory. Null at the end of the stream.
     */
    static String readBoundedLine(BufferedReader reader, int max) throws IOException {
        StringBuilder line = new StringBuilder();
        long dropped = 0;
        int c;
        while ((c = reader.read()) >= 0) {
            if (c == '\n') {
                break;
            }
            if (c == '\r') {
                reader.mark(1);
                if (reader.read() != '\n') {
                    reader.reset();
                }
                break;
            }
            if (line.length() < max) {
                line.append((char) c);
            } else {
                dropped++;
            }
        }
        if (c < 0 && line.isEmpty() && dropped == 0) {
            return null;
        }
        return dropped == 0 ? line.toString() : line + "…(" + dropped + " more characters)";
    }

    private static void join(Thread thread) throws InterruptedException {
        thread.join(DRAIN_GRACE.toMillis());
    }

    private static String describe(Duration d) {
        return d.toSeconds() >= 120 ? d.toMinutes() + " minutes" : d.toSeconds() + " seconds";
    }

    private static final class StdoutCollector {
        private final StringBuilder text = new StringBuilder();
        private boolean truncated;

        synchronized void add(String line) {
            if (text.length() + line.length() + 1 > MAX_CAPTURED_STDOUT) {
                truncated = true;
                return;
            }
            text.append(line).append('\n');
        }

        synchronized String text() {
            return truncated ? text + "[output truncated]\n" : text.toString();
        }
    }

    private static final class StderrCollector {
        private final Deque<String> lines = new ArrayDeque<>();

        synchronized void add(String line) {
            if (lines.size() == MAX_STDERR_LINES) {
                lines.removeFirst();
            }
            lines.addLast(line);
        }

        synchronized String text() {
            return lines.isEmpty() ? "" : String.join("\n", lines) + "\n";
        }
    }
}
