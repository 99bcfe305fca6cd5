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

    @Test
    void oneEndlessLineCostsBoundedMemory() throws Exception {
        // 64 MiB of stderr without a line end, then a last line: only the head of the long line is kept
        CommandRunner.Result r = CommandRunner.run(java.util.List.of("sh", "-c",
                "head -c 67108864 /dev/zero | tr '\\0' x >&2; echo >&2; echo last >&2; exit 3"), java.time.Duration.ofSeconds(60));
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.lastErrorLine()).isEqualTo("last");
        assertThat(r.stderr()).hasSizeLessThan(CommandRunner.MAX_LINE_CHARS + 100)
                .contains("…(" + (67108864 - CommandRunner.MAX_LINE_CHARS) + " more characters)");
    }

    @Test
    void lineEndsAreThoseOfReadLine() throws Exception {
        java.io.BufferedReader in = new java.io.BufferedReader(new java.io.StringReader("a\nb\r\nc\rd\n\ne"), 2);
        java.util.List<String> lines = new java.util.ArrayList<>();
        for (String line; (line = CommandRunner.readBoundedLine(in, 100)) != null; ) {
            lines.add(line);
        }
        assertThat(lines).containsExactly("a", "b", "c", "d", "", "e");
        assertThat(CommandRunner.readBoundedLine(new java.io.BufferedReader(new java.io.StringReader("abcdef")), 4))
                .isEqualTo("abcd…(2 more characters)");
    }
}
