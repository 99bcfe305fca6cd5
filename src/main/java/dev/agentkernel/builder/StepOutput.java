package dev.agentkernel.builder;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;

/**
 * A RUN step's output, line by line to the build's log with the step's prefix as it arrives, the last lines
 * kept for the error message of a failing step. A line is cut at 8 KiB so a guest without newlines cannot grow
 * it without bound.
 */
final class StepOutput extends OutputStream {
    private static final int MAX_LINE = 8192;
    private static final int TAIL = 20;
    private final String prefix;
    private final Consumer<String> log;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private final Deque<String> tail = new ArrayDeque<>();

    StepOutput(String prefix, Consumer<String> log) {
        this.prefix = prefix;
        this.log = log;
    }

    @Override
    public synchronized void write(int b) {
        if (b == '\n' || line.size() >= MAX_LINE) {
            emit();
            if (b == '\n') {
                return;
            }
        }
        line.write(b);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            write(b[i]);
        }
    }

    private void emit() {
        String text = line.toString(StandardCharsets.UTF_8).replaceAll("[\\p{Cntrl}&&[^\t]]", "?");
        line.reset();
        log.accept(prefix + text);
        tail.addLast(text);
        if (tail.size() > TAIL) {
            tail.removeFirst();
        }
    }

    @Override
    public synchronized void flush() {
    }

    /** Ends a last line without a newline. */
    synchronized void finish() {
        if (line.size() > 0) {
            emit();
        }
    }

    synchronized List<String> tail() {
        return List.copyOf(tail);
    }
}
