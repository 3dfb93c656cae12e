/**
 * Overhead of @weir/flow against a local Weir server:
 *   - an empty flow run: call → run created → Completed stored on the server (a top-level flow run
 *     flushes its records before it returns, so the time includes the HTTP round trip);
 *   - a task run inside a flow: the time the calling code waits for `await task()` (states are batched,
 *     no round trip), and the amortized cost including delivery (flow time with N tasks / N).
 * Median and p99 per backend (SQLite always; PostgreSQL when the machine's server answers).
 * Writes bench/flow/RESULTS-flow.md.
 *
 *   npm run build && node --import tsx bench/flow/flow-overhead.ts
 *   FLOWS=2000 TASKS=20000 node --import tsx bench/flow/flow-overhead.ts
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import path from "node:path";
import { closeClient, configure, flow, task } from "@weir/flow";
import { startServer } from "@weir/server";
import { probePostgres, startTempServer } from "@weir/test-support";

const FLOWS = Number(process.env.FLOWS ?? "1000");
const TASKS = Number(process.env.TASKS ?? "10000");
const WARMUP = 200;

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

function summary(samples: number[]): { median: number; p99: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: quantile(sorted, 0.5), p99: quantile(sorted, 0.99) };
}

const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

interface BackendResult {
  backend: string;
  emptyFlow: { median: number; p99: number };
  task: { median: number; p99: number };
  taskAmortized: number;
}

/** The machine's PostgreSQL server (`WEIR_TEST_POSTGRES_URL` or the default), or undefined when it does not answer. */
async function postgresServer(): Promise<string | undefined> {
  const probe = await probePostgres().catch(() => undefined);
  return probe?.ok === true ? probe.value : undefined;
}

async function measure(backend: string, postgresUrl: string | undefined): Promise<BackendResult> {
  const weir = await startTempServer(
    (place) => startServer({ ...place, uiDir: path.join(place.dataDir, "no-ui"), apiKey: "" }),
    { prefix: "weir-bench-flow-", postgresUrl },
  );
  // A long flush deadline: the amortized figure must include delivering every task run, never a spill.
  configure({
    apiUrl: weir.url,
    home: path.join(weir.dataDir, "client"),
    printLogs: false,
    flushTimeoutMs: 600_000,
  });
  try {
    const empty = flow({ name: "bench-empty" }, () => undefined);
    for (let i = 0; i < WARMUP; i++) await empty();
    const flowSamples: number[] = [];
    for (let i = 0; i < FLOWS; i++) {
      const t0 = nowMs();
      await empty();
      flowSamples.push(nowMs() - t0);
    }

    const noop = task({ name: "bench-task" }, (n: number) => n);
    const taskSamples: number[] = [];
    const withTasks = flow({ name: "bench-tasks" }, async (count: number) => {
      for (let i = 0; i < count; i++) {
        const t0 = nowMs();
        await noop(i);
        taskSamples.push(nowMs() - t0);
      }
    });
    await withTasks(WARMUP);
    taskSamples.length = 0;
    const t0 = nowMs();
    await withTasks(TASKS); // returns once every task run's records are stored
    const total = nowMs() - t0;
    return {
      backend,
      emptyFlow: summary(flowSamples),
      task: summary(taskSamples),
      taskAmortized: total / TASKS,
    };
  } finally {
    await closeClient();
    await weir.close();
  }
}

/** Median time to `import("@weir/flow")` in a fresh Node process (5 processes). */
function importTimeMs(): number {
  const script =
    "const t = performance.now(); await import('@weir/flow'); process.stdout.write(String(performance.now() - t));";
  const samples = Array.from({ length: 5 }, () =>
    Number(execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" })),
  );
  return summary(samples).median;
}

const importMs = importTimeMs();
const results: BackendResult[] = [];
results.push(await measure("SQLite", undefined));
const postgres = await postgresServer();
if (postgres !== undefined) results.push(await measure("PostgreSQL", postgres));
else console.error("PostgreSQL not reachable: measured SQLite only.");

const f = (ms: number): string => (ms < 1 ? ms.toFixed(3) : ms.toFixed(2));
const lines = [
  "# @weir/flow overhead",
  "",
  `Measured ${new Date().toISOString().slice(0, 10)} with \`node --import tsx bench/flow/flow-overhead.ts\` ` +
    `(Node ${process.version}, ${cpus().length} CPU(s) shared with other work — load average ` +
    `${loadavg()[0]?.toFixed(1)} at the end —, server and client in one process, ` +
    `${FLOWS} empty flow runs after ${WARMUP} warm-up runs, ${TASKS} task runs in one flow run).`,
  "",
  "| backend | empty flow run median | empty flow run p99 | task run median | task run p99 | task run amortized incl. delivery |",
  "|---|---|---|---|---|---|",
  ...results.map(
    (r) =>
      `| ${r.backend} | ${f(r.emptyFlow.median)} ms | ${f(r.emptyFlow.p99)} ms | ${f(r.task.median)} ms | ` +
      `${f(r.task.p99)} ms | ${f(r.taskAmortized)} ms |`,
  ),
  "",
  `Importing \`@weir/flow\` takes ${importMs.toFixed(1)} ms (median of 5 fresh processes).`,
  "",
  "Targets: empty flow run ≤ 5 ms median, task run ≤ 0.5 ms.",
  "",
  "- *Empty flow run*: from the call to the returned promise. A top-level flow run flushes before it returns,",
  "  so this includes one `POST /api/ingest` carrying the run's creation (Running) and its Completed state,",
  "  and their storage.",
  "- *Task run*: the time `await someTask()` takes inside a flow; the task run's creation and states are queued",
  "  and sent in the next batch, so no round trip is on this path.",
  "- *Amortized*: the whole flow run with its task runs (including sending and storing every task run and its",
  "  states before the flow returns) divided by the number of task runs.",
  "",
];
writeFileSync(new URL("./RESULTS-flow.md", import.meta.url), lines.join("\n"));
console.log(lines.join("\n"));
