package dev.agentkernel.cli;

import dev.agentkernel.errors.ImageException;
import dev.agentkernel.errors.UserInputException;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;

import static org.assertj.core.api.Assertions.assertThat;

class ErrorReportTest {
    private static String report(Throwable e, int expectedExit) {
        StringWriter err = new StringWriter();
        assertThat(ErrorReport.report(e, new PrintWriter(err), false)).isEqualTo(expectedExit);
        return err.toString();
    }

    @Test
    void theProjectsErrorsAreOneEscapedLine() {
        assertThat(report(new ImageException("layer 1: bad name 'a\u001b[2Jb\0'"), 1))
                .isEqualTo("agentkernel: layer 1: bad name 'a\\x1b[2Jb\\x00'\n");
        assertThat(report(new UserInputException("no such image"), 2)).isEqualTo("agentkernel: no such image\n");
        assertThat(report(new ImageException("x".repeat(100_000)), 1)).hasSizeLessThan(ErrorReport.MAX_MESSAGE + 100);
    }

    @Test
    void everythingElseIsOneLineToo() {
        assertThat(report(new NullPointerException("boom"), 1))
                .isEqualTo("agentkernel: unexpected NullPointerException: boom (a bug in agentkernel: --debug shows"
                        + " the stack trace)\n");
        assertThat(report(new UncheckedIOException(new AccessDeniedException("/data/x")), 1))
                .startsWith("agentkernel: permission denied: /data/x").doesNotContain("\n ");
        assertThat(report(new OutOfMemoryError("Java heap space"), 1)).startsWith("agentkernel: out of memory")
                .hasLineCount(1);
        assertThat(report(new StackOverflowError(), 1)).hasLineCount(1);
        assertThat(report(new java.nio.file.InvalidPathException("/a\0b", "Nul character not allowed"), 2))
                .isEqualTo("agentkernel: '/a\\x00b' is not a valid path: Nul character not allowed\n");
    }

    @Test
    void aLongMessageKeepsItsEnd() {
        String out = report(new ImageException("layer 2: entry " + "d/".repeat(500_000) + " replaces the root directory"
                + " by a regular file"), 1);
        assertThat(out).hasSizeLessThan(ErrorReport.MAX_MESSAGE + 100).hasLineCount(1)
                .endsWith("d/d/ replaces the root directory by a regular file\n");
    }

    @Test
    void errorsEscapingPicocliEndAsOneLine() {
        StringWriter err = new StringWriter();
        int exit = ErrorReport.guard(() -> {
            throw new OutOfMemoryError();
        }, new PrintWriter(err), false);
        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).hasLineCount(1);
    }
}
