package dev.agentkernel.cli;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

class MainTest {
    @Test
    void helpListsTheCommand() {
        StringWriter out = new StringWriter();
        var cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        assertThat(cl.execute("--help")).isZero();
        assertThat(out.toString()).contains("Usage: agentkernel");
    }

    @Test
    void unknownOptionIsBadInput() {
        StringWriter err = new StringWriter();
        var cl = Main.commandLine();
        cl.setErr(new PrintWriter(err));
        assertThat(cl.execute("--no-such-option")).isEqualTo(2);
        assertThat(err.toString()).contains("Unknown option").contains("--help");
    }
}
