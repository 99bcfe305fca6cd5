// Drives `agentkernel mcp-server` with the official MCP TypeScript SDK client over stdio: initialize, tools/list
// and a call of every tool. The server command comes from AK_SERVER_COMMAND (a JSON array). Prints one JSON object.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

const [command, ...args] = JSON.parse(process.env.AK_SERVER_COMMAND);
const transport = new StdioClientTransport({ command, args, env: { ...process.env }, stderr: "inherit" });
const client = new Client({ name: "agentkernel-test", version: "1.0.0" });
const results = {};
const timeout = 300000;

async function call(step, name, args) {
  try {
    const r = await client.callTool({ name, arguments: args }, undefined, { timeout });
    results[step] = { isError: r.isError === true, text: r.content.map((c) => c.text).join("") };
  } catch (e) {
    results[step] = { protocolError: e.message };
  }
}

await client.connect(transport);
results.server = client.getServerVersion();
results.tools = (await client.listTools()).tools.map((t) => ({ name: t.name, required: t.inputSchema.required ?? [],
  properties: Object.keys(t.inputSchema.properties ?? {}) }));
await call("create", "sandbox_create", { name: "mcp-a", memory_mb: 256 });
await call("exec", "sandbox_exec", { name: "mcp-a", command: ["sh", "-c", "echo $X in $(pwd)"], env: ["X=mcp"], workdir: "/tmp" });
await call("execFails", "sandbox_exec", { name: "mcp-a", command: ["sh", "-c", "echo oops; exit 5"] });
await call("execLong", "sandbox_exec", { name: "mcp-a", command: ["seq", "1", "20000"] });
await call("write", "sandbox_file_write", { name: "mcp-a", path: "/work/notes.txt", content: "written by mcp\n" });
await call("read", "sandbox_file_read", { name: "mcp-a", path: "/work/notes.txt" });
await call("readMissing", "sandbox_file_read", { name: "mcp-a", path: "/no/such/file" });
await call("writeFiles", "sandbox_write_files", { name: "mcp-a", files: { "/work/a": "A", "/work/b": "B" } });
await call("readBack", "sandbox_exec", { name: "mcp-a", command: ["cat", "/work/a", "/work/b"] });
await call("list", "sandbox_list", {});
await call("detach", "sandbox_exec_detach", { name: "mcp-a", command: ["sh", "-c", "echo bg-out; echo bg-err >&2; sleep 60"] });
const id = (results.detach.text ?? "").match(/mcp-a:\d+/)?.[0] ?? "missing";
results.detachedId = id;
await new Promise((r) => setTimeout(r, 1500));
await call("detachedStatus", "sandbox_exec_status", { id });
await call("detachedOut", "sandbox_exec_logs", { id });
await call("detachedErr", "sandbox_exec_logs", { id, stream: "stderr" });
await call("detachedList", "sandbox_exec_list", {});
await call("detachedKill", "sandbox_exec_kill", { id });
for (let i = 0; i < 50; i++) {
  await call("detachedAfter", "sandbox_exec_status", { id });
  if (!(results.detachedAfter.text ?? "").includes("running")) break;
  await new Promise((r) => setTimeout(r, 200));
}
await call("detachedBadId", "sandbox_exec_status", { id: "nonsense" });
await call("stop", "sandbox_stop", { name: "mcp-a" });
await call("stopAgain", "sandbox_stop", { name: "mcp-a" });
await call("execStopped", "sandbox_exec", { name: "mcp-a", command: ["true"] });
await call("start", "sandbox_start", { name: "mcp-a" });
await call("afterRestart", "sandbox_exec", { name: "mcp-a", command: ["cat", "/work/notes.txt"] });
await call("extend", "sandbox_extend_ttl", { name: "mcp-a" });
await call("run", "sandbox_run", { command: ["sh", "-c", "echo ran once"] });
await call("unknown", "sandbox_exec", { name: "nope", command: ["true"] });
await call("badArgs", "sandbox_exec", { name: "mcp-a", command: "not-a-list" });
await call("remove", "sandbox_remove", { name: "mcp-a" });
await call("listEmpty", "sandbox_list", {});
await client.close();
console.log(JSON.stringify(results));
