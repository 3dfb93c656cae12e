/**
 * `node --import tsx bench/dashboard/activity.bench.ts`: what the dashboard's activity chart costs
 * the server at scale, on SQLite and PostgreSQL.
 *
 * Seeds BENCH_RUNS flow runs (default 100,000) spread over the last 24 hours through the public
 * ingest API, then times over HTTP (p50/p99 of BENCH_ITER calls, default 50):
 * - `GET /api/dashboard/activity` for the last 24 hours in 96 buckets (what the chart asks now: every run counted);
 * - `GET /api/runs?since=…&limit=500` (what it asked before: the newest 500 runs, ~4 minutes of such a day).
 * Results go to bench/dashboard/RESULTS-dashboard.md.
 */
import { randomUUID } from "node:crypto";
import { cpus } from "node:os";
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { startServer } from "@weir/server";
import { probePostgres, startTempServer } from "@weir/test-support";

const RUNS = Number(process.env.BENCH_RUNS ?? 100_000);
const ITER = Number(process.env.BENCH_ITER ?? 50);
const BATCH = 10_000;
const DAY = 86_400_000;
const here = dirname(fileURLToPath(import.meta.url));

async function seed(url: string, now: number): Promise<void> {
  const states = ["Completed", "Completed", "Completed", "Failed", "Running"] as const;
  for (let start = 0; start < RUNS; start += BATCH) {
    const runs = Array.from({ length: Math.min(BATCH, RUNS - start) }, (_, k) => {
      const i = start + k;
      return {
        id: randomUUID(),
        flowName: `flow-${i % 20}`,
        state: "Running",
        timestamp: new Date(now - DAY + (i * DAY) / RUNS).toISOString(),
        i,
      };
    });
    const post = async (body: unknown) => {
      const res = await fetch(`${url}/api/ingest`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
    };
    await post({ runs: runs.map(({ i: _i, ...r }) => r) });
    const finals = runs
      .filter((r) => states[r.i % states.length] !== "Running")
      .map((r) => ({
        runId: r.id,
        id: randomUUID(),
        type: states[r.i % states.length],
        timestamp: new Date(Date.parse(r.timestamp) + 1000).toISOString(),
      }));
    await post({ states: finals });
  }
}

async function time(url: string): Promise<{ p50: number; p99: number; bytes: number }> {
  const ms: number[] = [];
  let bytes = 0;
  for (let i = 0; i < ITER; i++) {
    const t = performance.now();
    const res = await fetch(url);
    const text = await res.text();
    ms.push(performance.now() - t);
    if (!res.ok) throw new Error(`${url} answered ${res.status}: ${text.slice(0, 200)}`);
    bytes = text.length;
  }
  ms.sort((a, b) => a - b);
  const at = (q: number) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))]!;
  return { p50: at(0.5), p99: at(0.99), bytes };
}

const rows: string[] = [];
const postgres = await probePostgres();
for (const backend of ["sqlite", "postgres"] as const) {
  if (backend === "postgres" && !postgres.ok) {
    rows.push(`| postgres | skipped: ${postgres.reason} | | |`);
    continue;
  }
  const weir = await startTempServer((place) => startServer({ ...place, apiKey: "" }), {
    prefix: "weir-bench-activity-",
    postgresUrl: backend === "postgres" && postgres.ok ? postgres.value : undefined,
  });
  try {
    const now = Date.now();
    const t = performance.now();
    await seed(weir.url, now);
    console.info(`${backend}: seeded ${RUNS} runs in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    const from = new Date(now - DAY).toISOString();
    const to = new Date(now + 60_000).toISOString();
    const buckets = await time(`${weir.url}/api/dashboard/activity?from=${from}&to=${to}&buckets=96`);
    const list = await time(`${weir.url}/api/runs?since=${from}&limit=500&sort=start-desc`);
    const fmt = (r: { p50: number; p99: number; bytes: number }) =>
      `${r.p50.toFixed(1)} / ${r.p99.toFixed(1)} ms, ${(r.bytes / 1024).toFixed(0)} KiB`;
    rows.push(
      `| ${backend} | ${fmt(buckets)} (all ${RUNS.toLocaleString("en")} runs) | ${fmt(list)} (newest 500) |`,
    );
    console.info(rows.at(-1));
  } finally {
    await weir.close();
  }
}

const report = `# Dashboard activity chart (issue 16, item 8)

Command: \`node --import tsx bench/dashboard/activity.bench.ts\` (BENCH_RUNS=${RUNS}, BENCH_ITER=${ITER}),
${cpus().length} cores (${cpus()[0]?.model ?? "unknown CPU"}), Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.
${RUNS.toLocaleString("en")} flow runs spread evenly over the last 24 hours; p50 / p99 over HTTP on loopback, and the answer's size.

| backend | activity buckets (24 h, 96 buckets) | previous chart query: \`/api/runs?since=24h&limit=500\` |
|---|---|---|
${rows.join("\n")}

The bucket query counts every run of the day in the database (a grouped scan of the
\`(kind, state, sort_time)\` index, which covers it) and answers 96 small objects; the previous query fetched whole runs
and still covered only the newest 500 of them.
`;
writeFileSync(join(here, "RESULTS-dashboard.md"), report);
console.info(report);
