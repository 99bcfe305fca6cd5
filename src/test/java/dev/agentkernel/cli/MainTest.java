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

    @Test
    void argumentsNameTheOneSubcommandToBuild() {
        assertThat(Main.subcommandNamedBy(new String[]{"run", "--image", "x", "--", "ls"})).contains(RunCommand.class);
        assertThat(Main.subcommandNamedBy(new String[]{"--debug", "ps"})).contains(ListCommand.class);
        assertThat(Main.subcommandNamedBy(new String[]{"sb", "create"})).contains(SandboxCommand.class);
        assertThat(Main.subcommandNamedBy(new String[]{"help", "run"})).isEmpty();
        assertThat(Main.subcommandNamedBy(new String[]{"completions", "bash"})).isEmpty();
        assertThat(Main.subcommandNamedBy(new String[]{"--help"})).isEmpty();
        assertThat(Main.subcommandNamedBy(new String[]{"lst"})).isEmpty();
        assertThat(Main.subcommandNamedBy(new String[0])).isEmpty();
    }

    /** A command line holding one sub-command must be that sub-command exactly as the whole tree has it. */
    @Test
    void eachSubcommandAloneHasTheSameOptionsAsInTheWholeTree() {
        var whole = Main.commandLine();
        assertThat(whole.getSubcommands()).hasSizeGreaterThan(25);
        for (String name : whole.getSubcommands().keySet()) {
            String[] args = {name, "--help"};
            assertThat(usage(Main.commandLine(dev.agentkernel.store.AgentkernelHome.at(java.nio.file.Path.of("/nonexistent")),
                    args), args)).as(name).isEqualTo(usage(Main.commandLine(), args));
        }
    }

    @Test
    void anUnknownCommandIsBadInputWithTheWholeTree() {
        StringWriter err = new StringWriter();
        String[] args = {"lst"};
        var cl = Main.commandLine(dev.agentkernel.store.AgentkernelHome.at(java.nio.file.Path.of("/nonexistent")), args);
        cl.setErr(new PrintWriter(err));
        assertThat(cl.execute(args)).isEqualTo(2);
        assertThat(err.toString()).contains("Unmatched argument").contains("'lst'");
        assertThat(cl.getSubcommands()).containsKeys("list", "run", "create");
    }

    private static String usage(picocli.CommandLine cl, String[] args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        assertThat(cl.execute(args)).as(String.join(" ", args) + ": " + err).isZero();
        return out.toString();
    }
}
