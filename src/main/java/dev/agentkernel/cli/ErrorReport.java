package dev.agentkernel.cli;

import dev.agentkernel.errors.AgentkernelException;
import dev.agentkernel.errors.Quote;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.util.function.IntSupplier;

/**
 * How a failed command ends: one line on stderr, {@code agentkernel: <what happened>}, escaped and bounded (a
 * message may quote an image's names or a guest's text, which may hold control characters), the stack trace
 * only with {@code --debug}, and a non-zero exit code: 2 for bad input, 1 otherwise. Exceptions that are not
 * the project's own still get a single line that says what failed.
 */
final class ErrorReport {
    /** Characters of a message printed at most: a few lines of context (a console's tail) fit, a flood does not. */
    static final int MAX_MESSAGE = 4000;

    private ErrorReport() {
    }

    /** picocli's handler for an exception a command threw. */
    static int handle(Exception e, CommandLine cl, CommandLine.ParseResult parseResult) {
        return report(e, cl.getErr(), debug(parseResult));
    }

    /** Runs the whole command line; an Error that escapes picocli (out of memory) still ends as one line. */
    static int guard(IntSupplier command, PrintWriter err, boolean debug) {
        try {
            return command.getAsInt();
        } catch (Throwable t) {
            return report(t, err, debug);
        }
    }

    static int report(Throwable e, PrintWriter err, boolean debug) {
        // a path given that the file system cannot name (a NUL in it) is bad input, wherever it was turned into one
        boolean badPath = e instanceof InvalidPathException;
        int exit = e instanceof AgentkernelException ae ? ae.exitCode() : badPath ? 2 : 1;
        String hint = e instanceof AgentkernelException || badPath || debug ? ""
                : " (a bug in agentkernel: --debug shows the stack trace)";
        err.println("agentkernel: " + Quote.forTerminal(describe(e), MAX_MESSAGE) + hint);
        if (debug) {
            e.printStackTrace(err);
        }
        err.flush();
        return exit;
    }

    private static String describe(Throwable e) {
        if (e instanceof AgentkernelException) {
            return e.getMessage();
        }
        if (e instanceof OutOfMemoryError) {
            return "out of memory: the JVM's heap is too small for this (raise -Xmx in AGENTKERNEL_JAVA_OPTS)";
        }
        if (e instanceof StackOverflowError) {
            return "the input nests too deeply (stack overflow)";
        }
        if (e instanceof InvalidPathException p) {
            return Quote.name(p.getInput()) + " is not a valid path: " + p.getReason();
        }
        if (e instanceof UncheckedIOException u) {
            return describe(u.getCause());
        }
        if (e instanceof AccessDeniedException a) {
            return "permission denied: " + a.getFile();
        }
        if (e instanceof NoSuchFileException n) {
            return "no such file: " + n.getFile();
        }
        if (e instanceof FileSystemException f) {
            return (f.getReason() == null ? "file system error" : f.getReason()) + ": " + f.getFile();
        }
        if (e instanceof IOException) {
            return "I/O error: " + e.getMessage();
        }
        String message = e.getMessage();
        return "unexpected " + e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    private static boolean debug(CommandLine.ParseResult result) {
        for (CommandLine.ParseResult r = result; r != null; r = r.subcommand()) {
            if (r.hasMatchedOption("--debug")) {
                return true;
            }
        }
        return false;
    }
}
