/**
 * "Run now" (the API call the UI's Run button makes) → the flow's code running in a worker's child
 * process: POST /api/deployments/:id/runs sent → the first statement of the flow writes its stamp.
 * Runs one at a time, RUNS of them, each PAUSE_MS after the previous one ended (an idle worker, as
 * when a user clicks Run; PAUSE_MS=0 measures back-to-back clicks), median and p99, per backend.
 *
 *   npm run build && node --import tsx bench/deployments/run-now.bench.ts
 *   RUNS=200 PAUSE_MS=0 node --import tsx bench/deployments/run-now.bench.ts
 */
import { backends, machine, runNow, startBench, summary, writeSection } from "./worker-setup.js";

const RUNS = Number(process.env.RUNS ?? "100");
const WARMUP = 5;
const PAUSE_MS = Number(process.env.PAUSE_MS ?? "500");

const rows: string[] = [];
for (const backend of await backends()) {
  const bench = await startBench(backend.db, 4);
  try {
    const samples: number[] = [];
    for (let i = 0; i < WARMUP + RUNS; i++) {
      await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
      const { id, sentAt } = await runNow(bench);
      await bench.ended(id);
      const startedAt = bench.stamp(id);
      if (startedAt === undefined) throw new Error(`run ${id} ended without its code running`);
      if (i >= WARMUP) samples.push(startedAt - sentAt);
    }
    const s = summary(samples);
    rows.push(`| ${backend.name} | ${s.n} | ${s.median.toFixed(0)} ms | ${s.p99.toFixed(0)} ms |`);
    console.log(
      `${backend.name}: Run now → code running, median ${s.median.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms`,
    );
  } finally {
    await bench.close();
  }
}

writeSection(
  "run-now",
  `## "Run now" → the flow's code running

\`node --import tsx bench/deployments/run-now.bench.ts\` (RUNS=${RUNS}, one at a time, PAUSE_MS=${PAUSE_MS} between a run's end and the next click; ${machine()};
${new Date().toISOString().slice(0, 10)}). Target: median ≤ 300 ms, p99 ≤ 1 s.

| backend | runs | median | p99 |
|---|---|---|---|
${rows.join("\n")}

What it includes: the API call, the server waking the worker's pending claim (long poll answered at once,
no polling interval), the claim transaction, handing the run to a warm child over IPC (\`node\` already
started, \`@weir/flow\` imported; see docs/deployments.md, "Warm children"), importing the flow's module,
and the adoption of the run (Pending → Running delivered before the code starts: one ingest round trip).`,
);
