/**
 * Worker overhead per run, for an empty flow: "Run now" sent → the final state stored (seen on the live
 * channel), one run at a time; then throughput with QUEUED runs queued at once on a 4-slot worker.
 * Baseline: the same flow started by hand (`node` on a script that calls it), process spawned → its
 * final state stored: what every process-per-run design pays anyway.
 *
 *   npm run build && node --import tsx bench/deployments/worker-overhead.bench.ts
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { backends, machine, runNow, startBench, summary, writeSection } from "./worker-setup.js";

const RUNS = Number(process.env.RUNS ?? "100");
const QUEUED = Number(process.env.QUEUED ?? "200");
const here = path.dirname(fileURLToPath(import.meta.url));

const rows: string[] = [];
for (const backend of await backends()) {
  const bench = await startBench(backend.db, 4);
  try {
    const total: number[] = [];
    const afterCode: number[] = [];
    for (let i = 0; i < 5 + RUNS; i++) {
      const { id, sentAt } = await runNow(bench);
      const endedAt = await bench.ended(id);
      if (i < 5) continue;
      total.push(endedAt - sentAt);
      afterCode.push(endedAt - (bench.stamp(id) ?? Number.NaN));
    }
    // Baseline: the same flow started by hand in a fresh process, process spawned → final state stored.
    const byHand: number[] = [];
    const script = `import("./bench-flows.mjs").then((m) => m.stamp())`;
    for (let i = 0; i < 20; i++) {
      const before = new Set(readFileSync(bench.stampsFile, "utf8").split("\n"));
      const started = performance.timeOrigin + performance.now();
      const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
        cwd: path.join(here, "fixtures"),
        env: {
          ...process.env,
          WEIR_API_URL: bench.url,
          WEIR_PRINT_LOGS: "0",
          BENCH_STAMPS: bench.stampsFile,
        },
        stdio: "ignore",
      });
      const exited = new Promise((resolve) => child.once("exit", resolve));
      let line: string | undefined;
      while (line === undefined) {
        await new Promise((resolve) => setTimeout(resolve, 2));
        line = readFileSync(bench.stampsFile, "utf8")
          .split("\n")
          .find((l) => l !== "" && !before.has(l));
      }
      byHand.push((await bench.ended(line.split(" ")[0] as string)) - started);
      await exited;
    }
    const queuedAt = performance.now();
    const ids: string[] = [];
    for (let i = 0; i < QUEUED; i += 20) {
      const batch = Array.from({ length: Math.min(20, QUEUED - i) }, () => runNow(bench).then((r) => r.id));
      ids.push(...(await Promise.all(batch)));
    }
    await Promise.all(ids.map((id) => bench.ended(id)));
    const perSecond = QUEUED / ((performance.now() - queuedAt) / 1000);
    const t = summary(total);
    const a = summary(afterCode);
    const h = summary(byHand);
    rows.push(
      `| ${backend.name} | ${t.median.toFixed(0)} / ${t.p99.toFixed(0)} ms | ${a.median.toFixed(0)} / ${a.p99.toFixed(0)} ms | ${h.median.toFixed(0)} / ${h.p99.toFixed(0)} ms | ${perSecond.toFixed(1)} runs/s |`,
    );
    console.log(rows.at(-1));
  } finally {
    await bench.close();
  }
}

writeSection(
  "worker-overhead",
  `## Worker overhead per run (empty flow)

\`node --import tsx bench/deployments/worker-overhead.bench.ts\` (RUNS=${RUNS} one at a time, then ${QUEUED} queued at
once on \`--limit 4\`; ${machine()}; ${new Date().toISOString().slice(0, 10)}). Times are median / p99.

| backend | Run now → final state stored | code running → final state stored | same flow by hand (process spawned → final state stored) | throughput, 4 slots |
|---|---|---|---|---|
${rows.join("\n")}

"By hand" is the floor any process-per-run design pays (node start, imports, the run's creation and
final flush); the difference to the first column is the worker's overhead (the API call, the claim,
the adoption round trip). The worker's warm children (already started, \`@weir/flow\` imported) can make
its runs cheaper than that floor. After the child exits the worker records nothing unless the child died
without recording its end.`,
);
