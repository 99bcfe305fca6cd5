// The one-shot routes through agentkernel's Node SDK: run, runStream (events with the time each arrived, in ms
// since the request) and batchRun. Prints one JSON object.
import { AgentKernel } from "agentkernel";

const client = new AgentKernel({ baseUrl: process.env.AK_BASE, apiKey: process.env.AK_KEY, timeout: 240000 });
const results = {};

async function step(name, fn) {
  try {
    results[name] = { value: await fn() };
  } catch (e) {
    results[name] = { error: { name: e.name, message: e.message } };
  }
}

await step("run", () => client.run(["sh", "-c", "echo one-shot; uname -s"]));
await step("runFails", () => client.run(["sh", "-c", "echo nope; exit 4"]));
await step("stream", async () => {
  const t0 = Date.now();
  const events = [];
  for await (const e of client.runStream(["sh", "-c", "echo first; sleep 3; echo second >&2"])) {
    events.push({ type: e.type, data: e.data, at: Date.now() - t0 });
  }
  return events;
});
await step("batch", () => client.batchRun([{ command: ["echo", "b1"] }, { command: ["sh", "-c", "exit 2"] }]));
console.log(JSON.stringify(results));
