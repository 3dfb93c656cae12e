// A real flow run for the timeline and task-log tests: a flow that calls a task which calls a nested
// task, a task that fails its first attempt and succeeds on its retry, and a child flow; it logs
// outside any task and inside three. Prints the flow run's id as JSON and exits once everything is
// delivered.
// Env: WEIR_API_URL (the test server), WEIR_HOME (a temp dir for the spool).
import process from "node:process";
import { setTimeout as sleep } from "node:timers/promises";

import { closeClient, flow, flush, getRunLogger, task } from "@weir/flow";

const load = task({ name: "load" }, async () => {
  await sleep(120);
  getRunLogger().info("loaded 40 rows");
  return 40;
});

const prepare = task({ name: "prepare" }, async () => {
  await sleep(60);
  getRunLogger().info("preparing the rows");
  const rows = await load();
  await sleep(60);
  return rows;
});

let calls = 0;
const flaky = task({ name: "flaky", retries: 1, retryDelayMs: 150 }, async () => {
  calls += 1;
  getRunLogger().info(`flaky attempt ${calls}`);
  await sleep(100);
  if (calls === 1) throw new Error("the first attempt always fails");
  return "ok";
});

const report = flow({ name: "e2e-timeline-child", runName: "report" }, async () => {
  await sleep(80);
});

const main = flow({ name: "e2e-timeline", runName: "timeline-run" }, async (_params, ctx) => {
  getRunLogger().info("the flow starts");
  await prepare();
  await flaky();
  await report();
  await sleep(50);
  getRunLogger().info("the flow ends");
  return ctx.runId;
});

const runId = await main();
await flush();
await closeClient();
process.stdout.write(`${JSON.stringify({ runId })}\n`);
