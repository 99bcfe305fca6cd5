package dev.agentkernel.agent;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The agent's {@code stat} and staged {@code copy_in} on the host ({@code agent --stdio}): what a path leads
 * to, and a staged copy that lands whole or leaves nothing, whether it fails or its connection goes.
 */
class AgentStatAndStagedCopyStdioTest {
    @TempDir
    Path tmp;
    private StdioAgents agents;
    private AgentConnection connection;
    private Path dir;

    @BeforeEach
    void connect() throws IOException {
        agents = new StdioAgents(tmp);
        connection = agents.open();
        dir = Files.createDirectory(tmp.resolve("d"));
    }

    @AfterEach
    void close() {
        if (connection != null) {
            connection.close();
        }
        agents.close();
    }

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static CopyEntry file(String path, long size) {
        return new CopyEntry(path, EntryKind.FILE, 0640, 0, 0, 1_000, 0, size, null, 0, 0);
    }

    @Test
    void statFollowsSymlinksAndAnswersAMissingPath() throws IOException {
        Files.writeString(dir.resolve("f"), "12345");
        Files.createSymbolicLink(dir.resolve("link"), dir.resolve("f"));
        Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve("none"));
        assertThat(connection.hello().features()).contains("stat", "copy_stage");
        assertThat(connection.stat(dir + "/missing").exists()).isFalse();
        GuestStat f = connection.stat(dir + "/link");
        assertThat(f.kind()).isEqualTo("file");
        assertThat(f.link()).isTrue();
        assertThat(f.size()).isEqualTo(5);
        assertThat(f.real()).isEqualTo(dir.toRealPath().resolve("f").toString());
        GuestStat d = connection.stat(dir.toString());
        assertThat(d.isDirectory()).isTrue();
        assertThat(d.link()).isFalse();
        GuestStat dangling = connection.stat(dir + "/dangling");
        assertThat(dangling.kind()).isEqualTo("symlink");
        assertThat(dangling.real()).isNull();
        assertThatThrownBy(() -> connection.stat(dir + "/f/under")).isInstanceOf(GuestPathException.class)
                .hasMessageContaining("Not a directory");
    }

    @Test
    void aStagedCopyLandsWholeAndReplacesAFile() throws IOException {
        Files.writeString(dir.resolve("f"), "old");
        CopyInStream in = connection.copyIn(dir + "/f", true);
        in.entry(file(".", 3));
        in.data(0, "new".getBytes(StandardCharsets.UTF_8), 0, 3);
        connection.stat(dir.toString());
        assertThat(Files.readString(dir.resolve("f"))).isEqualTo("old");
        in.finish();
        assertThat(names()).containsExactly("f");
        assertThat(Files.readString(dir.resolve("f"))).isEqualTo("new");

        CopyInStream tree = connection.copyIn(dir + "/t", true);
        tree.entry(new CopyEntry(".", EntryKind.DIR, 0755, 0, 0, 1_000, 0, 0, null, 0, 0));
        tree.entry(file("a", 0));
        connection.stat(dir.toString()); // answered in order: the agent has made the entries
        assertThat(names()).as("built under a temporary name").hasSize(2).contains("f").doesNotContain("t");
        tree.finish();
        assertThat(names()).containsExactly("f", "t");
        assertThat(Files.exists(dir.resolve("t/a"))).isTrue();
    }

    @Test
    void aStagedCopyThatFailsOrLosesItsConnectionLeavesNothing() throws Exception {
        Files.writeString(dir.resolve("f"), "old");
        CopyInStream in = connection.copyIn(dir + "/t", true);
        in.entry(new CopyEntry(".", EntryKind.DIR, 0755, 0, 0, 1_000, 0, 0, null, 0, 0));
        in.entry(file("a", 0));
        in.entry(new CopyEntry("a/under-a-file", EntryKind.FILE, 0644, 0, 0, 0, 0, 0, null, 0, 0));
        assertThatThrownBy(in::finish).isInstanceOf(GuestPathException.class);
        assertThat(names()).containsExactly("f");

        CopyInStream lost = connection.copyIn(dir + "/f", true);
        lost.entry(file(".", 3));
        lost.data(0, "new".getBytes(StandardCharsets.UTF_8), 0, 3);
        connection.stat(dir.toString()); // in step: the agent has taken the data
        connection.close();
        connection = null;
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (names().size() > 1 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(names()).containsExactly("f");
        assertThat(Files.readString(dir.resolve("f"))).isEqualTo("old");
    }
}
