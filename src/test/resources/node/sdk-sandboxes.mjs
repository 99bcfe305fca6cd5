// Drives agentkernel serve with agentkernel's own Node SDK (agentkernel@0.18.1), unchanged: every sandbox and
// file method, errors included. Prints one JSON object: step name -> {value} or {error: {name, message}}.
import { AgentKernel } from "agentkernel";

const base = process.env.AK_BASE;
const key = process.env.AK_KEY;
const image = process.env.AK_IMAGE;
const client = new AgentKernel({ baseUrl: base, apiKey: key, timeout: 240000 });
const results = {};

async function step(name, fn) {
  try {
    results[name] = { value: await fn() };
  } catch (e) {
    results[name] = { error: { name: e.name, message: e.message, status: e.status ?? null } };
  }
}

await step("health", () => client.health());
await step("create", () => client.createSandbox("sdk-a", { image, memory_mb: 256, vcpus: 1 }));
await step("createTaken", () => client.createSandbox("sdk-a", { image, memory_mb: 256 }));
await step("createBadName", () => client.createSandbox("-bad-", { image }));
await step("createBadProfile", () => client.createSandbox("sdk-x", { image, profile: "paranoid" }));
await step("get", () => client.getSandbox("sdk-a"));
await step("list", () => client.listSandboxes());
await step("byUuid", async () => client.getSandboxByUuid((await client.getSandbox("sdk-a")).uuid));
await step("byUnknownUuid", () => client.getSandboxByUuid("01900000-0000-7000-8000-000000000000"));
await step("exec", () => client.execInSandbox("sdk-a", ["sh", "-c", "echo \"$GREETING from $(pwd)\""],
  { env: ["GREETING=hello"], workdir: "/tmp" }));
await step("execSudo", () => client.execInSandbox("sdk-a", ["id", "-u"], { sudo: true }));
await step("execFails", () => client.execInSandbox("sdk-a", ["sh", "-c", "echo out; echo err >&2; exit 3"]));
await step("execMissing", () => client.execInSandbox("sdk-a", ["/no/such/program"]));
await step("writeText", () => client.writeFile("sdk-a", "/tmp/hello.txt", "héllo wörld\n"));
await step("readText", () => client.readFile("sdk-a", "/tmp/hello.txt"));
const binary = Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x41, 0x0a, 0xc3]);
await step("writeBinary", () => client.writeFile("sdk-a", "/tmp/bin.dat", binary.toString("base64"), { encoding: "base64" }));
await step("readBinary", () => client.readFile("sdk-a", "/tmp/bin.dat"));
await step("binaryByCmp", () => client.execInSandbox("sdk-a", ["sh", "-c", "od -An -tx1 /tmp/bin.dat | tr -d ' \\n'"]));
await step("writeFiles", () => client.writeFiles("sdk-a", { "/app/src/main.py": "print(1)\n", "/app/README": "read me\n" }));
await step("readBack", () => client.execInSandbox("sdk-a", ["cat", "/app/src/main.py", "/app/README"]));
await step("deleteFile", () => client.deleteFile("sdk-a", "/tmp/hello.txt"));
await step("readDeleted", () => client.readFile("sdk-a", "/tmp/hello.txt"));
await step("logs", () => client.getSandboxLogs("sdk-a"));
await step("extendNoTtl", () => client.extendTtl("sdk-a", { by: "1h" }));
await step("unknownSandbox", () => client.getSandbox("no-such-sandbox"));
await step("execUnknown", () => client.execInSandbox("no-such-sandbox", ["true"]));
await step("detached", async () => {
  const started = await client.execDetached("sdk-a", ["sh", "-c", "echo \"out $D\"; echo err >&2; sleep 60"], { env: ["D=1"] });
  const quick = await client.execDetached("sdk-a", ["sh", "-c", "echo quick"]);
  await new Promise((r) => setTimeout(r, 1500));
  const list = await client.detachedList("sdk-a");
  const status = await client.detachedStatus("sdk-a", started.id);
  const stdout = await client.detachedLogs("sdk-a", started.id);
  const stderr = await client.detachedLogs("sdk-a", started.id, "stderr");
  const quickStatus = await client.detachedStatus("sdk-a", quick.id);
  const killed = await client.detachedKill("sdk-a", started.id);
  let after;
  for (let i = 0; i < 50; i++) {
    after = await client.detachedStatus("sdk-a", started.id);
    if (after.status !== "running") break;
    await new Promise((r) => setTimeout(r, 200));
  }
  let unknown;
  try { await client.detachedStatus("sdk-a", "999999"); unknown = "found"; } catch (e) { unknown = e.name; }
  return { started, list: list.map((d) => d.id), status, stdout, stderr, quickStatus, killed, after, unknown };
});
await step("snapshots", async () => {
  const errorName = async (fn) => { try { await fn(); return "no error"; } catch (e) { return e.name + ": " + e.message; } };
  await client.createSandbox("sdk-snapsrc", { image, memory_mb: 256, vcpus: 1 });
  await client.execInSandbox("sdk-snapsrc", ["sh", "-c", "echo saved > /root/mark"]);
  const taken = await client.takeSnapshot({ sandbox: "sdk-snapsrc", name: "sdk-snap" });
  const takenTwice = await errorName(() => client.takeSnapshot({ sandbox: "sdk-snapsrc", name: "sdk-snap" }));
  const list = await client.listSnapshots();
  const got = await client.getSnapshot("sdk-snap");
  const unknown = await errorName(() => client.getSnapshot("no-such-snapshot"));
  const nameTaken = await errorName(() => client.restoreSnapshot("sdk-snap"));
  await client.removeSandbox("sdk-snapsrc");
  const restored = await client.restoreSnapshot("sdk-snap");
  const mark = await client.execInSandbox("sdk-snapsrc", ["cat", "/root/mark"]);
  const inUse = await errorName(() => client.deleteSnapshot("sdk-snap"));
  await client.removeSandbox("sdk-snapsrc");
  await client.deleteSnapshot("sdk-snap");
  const after = await client.listSnapshots();
  return { taken, takenTwice, list: list.map((s) => s.name), got, unknown, nameTaken, restored, mark, inUse,
    after: after.length };
});
await step("orchestrations", () => client.listOrchestrations());
await step("wrongKey", () => new AgentKernel({ baseUrl: base, apiKey: "wrong-key" }).listSandboxes());
await step("missingKey", () => new AgentKernel({ baseUrl: base, apiKey: "" }).listSandboxes());
await step("healthNoKey", () => new AgentKernel({ baseUrl: base, apiKey: "" }).health());
await step("session", async () => {
  const sb = await client.sandbox("sdk-session", { image, memory_mb: 256 });
  const out = await sb.run(["echo", "in session"]);
  const written = await sb.writeFiles({ "/tmp/s.txt": "s" });
  const info = await sb.info();
  await sb.remove();
  await sb.remove(); // idempotent
  let after;
  try { await client.getSandbox("sdk-session"); after = "still there"; } catch (e) { after = e.name; }
  return { output: out.output, written, status: info.status, after };
});
await step("remove", () => client.removeSandbox("sdk-a"));
await step("getRemoved", () => client.getSandbox("sdk-a"));
console.log(JSON.stringify(results));
