package dev.agentkernel.cli;

import dev.agentkernel.testing.RequiredTools;
import dev.agentkernel.testing.TestProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The completion scripts, loaded into the real shells, complete commands and options. */
class CompletionsTest {
    @TempDir
    Path dir;

    private Path script(String shell) throws Exception {
        CliRun r = CliRun.run(dir.resolve("home"), "completions", shell);
        assertThat(r.exitCode()).as(r.err()).isZero();
        return Files.writeString(dir.resolve("completion." + shell), r.out());
    }

    private static String run(String... command) throws Exception {
        return TestProcess.run(List.of(command), Duration.ofSeconds(30)).stdout();
    }

    @Test
    void bashCompletesCommandsAndOptions() throws Exception {
        String out = run(RequiredTools.require("bash").toString(), "-c", "source " + script("bash")
                + "; COMP_WORDS=(agentkernel roo); COMP_CWORD=1; _complete_agentkernel; echo \"1:${COMPREPLY[*]}\""
                + "; COMP_WORDS=(agentkernel rootfs --no); COMP_CWORD=2; _complete_agentkernel;"
                + " echo \"2:${COMPREPLY[*]}\"");
        assertThat(out).contains("1:rootfs\n").contains("2:--no-agent --no-cache\n");
    }

    @Test
    void zshLoadsTheScriptThroughBashcompinit() throws Exception {
        String out = run(RequiredTools.require("zsh").toString(), "-c", "source " + script("zsh")
                + " 2>/dev/null; echo \"registered:${_comps[agentkernel]}\"");
        assertThat(out).contains("registered:").contains("_complete_agentkernel");
    }

    @Test
    void fishCompletesCommandsSubCommandsAndOptions() throws Exception {
        String out = run(RequiredTools.require("fish").toString(), "-c", "source " + script("fish")
                + "; complete -C 'agentkernel roo'; echo ---; complete -C 'agentkernel rootfs --no';"
                + " echo ---; complete -C 'agentkernel images '");
        String[] parts = out.split("---\n");
        assertThat(parts[0]).startsWith("rootfs\t");
        assertThat(parts[1]).contains("--no-agent\t").contains("--no-cache\t");
        assertThat(parts[2]).contains("inspect\t").contains("rm\t").doesNotContain("rootfs");
    }

    @Test
    void anUnknownShellIsBadInput() throws Exception {
        CliRun r = CliRun.run(dir.resolve("home"), "completions", "tcsh");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("agentkernel: completions: unknown shell 'tcsh'; give bash, zsh or fish\n");
    }
}
