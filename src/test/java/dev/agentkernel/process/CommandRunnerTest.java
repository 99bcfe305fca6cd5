package dev.agentkernel.process;

import dev.agentkernel.errors.ToolException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CommandRunnerTest {
    @Test
    void capturesBothStreamsAndTheExitCodeAndStreamsLinesAsTheyCome() {
        List<String> live = Collections.synchronizedList(new ArrayList<>());
        CommandRunner.Result result = CommandRunner.run(List.of("/bin/sh", "-c",
                "echo out1; echo err1 >&2; echo 'a b  \"c\"'; exit 7"), Duration.ofSeconds(30), live::add);

        assertThat(result.exitCode()).isEqualTo(7);
        assertThat(result.succeeded()).isFalse();
        assertThat(result.stdout()).isEqualTo("out1\na b  \"c\"\n");
        assertThat(result.stderr()).isEqualTo("err1\n");
        assertThat(result.lastErrorLine()).isEqualTo("err1");
        assertThat(live).containsExactlyInAnyOrder("out1", "err1", "a b  \"c\"");
    }

    @Test
    void binaryOutputGoesToAFileUnchanged(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path out = dir.resolve("out.bin");
        CommandRunner.Result result = CommandRunner.runToFile(List.of("/usr/bin/printf", "\\000\\377\\n\\200"),
                Duration.ofSeconds(30), out);
        assertThat(result.succeeded()).isTrue();
        assertThat(result.stdout()).isEmpty();
        assertThat(java.nio.file.Files.readAllBytes(out)).containsExactly(0x00, 0xff, '\n', 0x80);
    }

    @Test
    void argumentsAreNeverInterpretedByAShell() {
        CommandRunner.Result result = CommandRunner.run(List.of("/bin/echo", "$(id)", "a;b", "*"),
                Duration.ofSeconds(30));
        assertThat(result.stdout()).isEqualTo("$(id) a;b *\n");
    }

    @Test
    void aTimeoutStopsTheWholeProcessTree() throws Exception {
        List<String> live = Collections.synchronizedList(new ArrayList<>());
        assertThatThrownBy(() -> CommandRunner.run(List.of("/bin/sh", "-c", "sleep 300 & echo $!; wait"),
                Duration.ofSeconds(2), live::add))
                .isInstanceOf(ToolException.class)
                .hasMessage("/bin/sh -c did not finish within 2 seconds and was stopped");
        assertThat(live).hasSize(1);
        ProcessHandle grandchild = ProcessHandle.of(Long.parseLong(live.get(0))).orElse(null);
        if (grandchild != null) {
            grandchild.onExit().get(5, TimeUnit.SECONDS);
            assertThat(grandchild.isAlive()).isFalse();
        }
    }

    @Test
    void aMissingProgramIsAToolError() {
        assertThatThrownBy(() -> CommandRunner.run(List.of("/nonexistent/podman", "version"), Duration.ofSeconds(5)))
                .isInstanceOf(ToolException.class)
                .hasMessageStartingWith("could not start /nonexistent/podman");
    }
}
