package dev.agentkernel.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentkernel.store.AgentkernelHome;
import dev.agentkernel.testing.BusyboxImages;
import dev.agentkernel.testing.NodeClients;
import dev.agentkernel.vm.VmFixtures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code agentkernel mcp-server} driven over stdio by the official MCP TypeScript SDK client
 * (@modelcontextprotocol/sdk, installed by scripts/install-node-clients): initialize, tools/list and a call of
 * every tool against a real sandbox under QEMU (TCG).
 */
@Tag("qemu")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class McpServerIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> TOOLS = List.of("sandbox_run", "sandbox_create", "sandbox_exec", "sandbox_list",
            "sandbox_remove", "sandbox_start", "sandbox_stop", "sandbox_file_write", "sandbox_file_read",
            "sandbox_write_files", "sandbox_extend_ttl", "sandbox_exec_detach", "sandbox_exec_status",
            "sandbox_exec_logs", "sandbox_exec_kill", "sandbox_exec_list");

    @Test
    void everyToolThroughTheTypeScriptClient() throws Exception {
        VmFixtures.requireQemuAndKernel();
        NodeClients node = NodeClients.install();
        Path work = Files.createTempDirectory("ak-mcp-test");
        Path home = work.resolve("home");
        Files.createDirectories(home.resolve("kernels"));
        Files.writeString(home.resolve("kernels/accelerator.json"), "{\"accelerator\":\"tcg\"}");
        try (BusyboxImages images = new BusyboxImages(work)) {
            String image = VmFixtures.busyboxArchive(images);
            List<String> server = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), "dev.agentkernel.cli.Main",
                    "mcp-server", "--default-image", image));
            NodeClients.Run run = node.run(work, "mcp-tools.mjs", Map.of("AK_SERVER_COMMAND", JSON.writeValueAsString(server),
                    "AGENTKERNEL_HOME", home.toString()), Duration.ofMinutes(8));
            assertThat(run.exitCode()).as(run.stderr()).isZero();
            JsonNode r = JSON.readTree(run.stdout());

            assertThat(r.at("/server/name").asText()).isEqualTo("agentkernel");
            List<String> names = r.get("tools").findValuesAsText("name");
            assertThat(names).containsExactlyInAnyOrderElementsOf(TOOLS);
            for (JsonNode t : r.get("tools")) {
                if (t.get("name").asText().equals("sandbox_exec")) {
                    assertThat(t.get("required").toString()).contains("name", "command");
                    assertThat(t.get("properties").toString()).contains("env", "workdir", "sudo");
                }
            }
            ok(r, "create", "Sandbox 'mcp-a' created and started");
            ok(r, "exec", "mcp in /tmp\n");
            error(r, "execFails", "Error: Command exited with code 5: oops");
            String longOut = text(r, "execLong");
            assertThat(longOut).startsWith("1\n2\n3\n").endsWith("19999\n20000\n").contains("bytes truncated] ...");
            assertThat(longOut.length()).isLessThan(16_100);
            ok(r, "write", "Wrote 15 bytes to '/work/notes.txt' in sandbox 'mcp-a'");
            assertThat(text(r, "read")).isEqualTo("written by mcp\n");
            error(r, "readMissing", "/no/such/file");
            ok(r, "writeFiles", "Wrote 2 file(s) to sandbox 'mcp-a'");
            assertThat(text(r, "readBack")).isEqualTo("AB");
            assertThat(text(r, "list")).startsWith("NAME\tSTATUS\tBACKEND\tIMAGE\n").contains("mcp-a\trunning\tqemu");
            String id = r.get("detachedId").asText();
            assertThat(id).matches("mcp-a:\\d+");
            ok(r, "detach", "Started detached command " + id);
            ok(r, "detachedStatus", id + "\trunning\t-");
            assertThat(text(r, "detachedOut")).isEqualTo("bg-out\n");
            assertThat(text(r, "detachedErr")).isEqualTo("bg-err\n");
            ok(r, "detachedList", id + "\trunning");
            ok(r, "detachedKill", "Command " + id + " killed.");
            ok(r, "detachedAfter", id + "\tfailed\t143");
            error(r, "detachedBadId", "bad detached command id");
            ok(r, "stop", "Sandbox 'mcp-a' stopped.");
            ok(r, "stopAgain", "already stopped");
            error(r, "execStopped", "is stopped");
            ok(r, "start", "Sandbox 'mcp-a' started.");
            assertThat(text(r, "afterRestart")).isEqualTo("written by mcp\n");
            error(r, "extend", "no time to live");
            assertThat(text(r, "run")).isEqualTo("ran once\n");
            error(r, "unknown", "no sandbox named 'nope'");
            assertThat(r.at("/badArgs/protocolError").isMissingNode() ? r.at("/badArgs/isError").asBoolean() : true)
                    .as(r.get("badArgs").toString()).isTrue();
            ok(r, "remove", "Sandbox 'mcp-a' removed.");
            ok(r, "listEmpty", "No sandboxes found.");
            assertThat(VmFixtures.monitorsUnderAfterWaiting(home)).isEmpty();
            assertThat(VmFixtures.sandboxDirs(AgentkernelHome.at(home))).isEmpty();
        } finally {
            VmFixtures.removeEverySandbox(home); // a failed step may have left a sandbox; its assertion says so
            VmFixtures.deleteTree(work);
        }
    }

    private static String text(JsonNode r, String step) {
        JsonNode s = r.get(step);
        assertThat(s).as(step).isNotNull();
        assertThat(s.has("protocolError")).as(step + ": " + s).isFalse();
        return s.get("text").asText();
    }

    private static void ok(JsonNode r, String step, String part) {
        assertThat(r.at("/" + step + "/isError").asBoolean()).as(step + ": " + r.get(step)).isFalse();
        assertThat(text(r, step)).as(step).contains(part);
    }

    private static void error(JsonNode r, String step, String part) {
        assertThat(r.at("/" + step + "/isError").asBoolean()).as(step + ": " + r.get(step)).isTrue();
        assertThat(text(r, step)).as(step).contains(part);
    }
}
