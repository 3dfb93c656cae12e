/**
 * `npm run bench:flow` (ingest part): log ingestion through `POST /api/ingest` on SQLite and
 * PostgreSQL, batches of 1,000 lines as `@weir/flow` sends them.
 *
 * For each backend: a fresh server on a random port (SQLite in a temp folder; PostgreSQL a fresh
 * `weir_bench_<random>` database on the machine's server, dropped afterwards), 10 Running runs,
 * warm-up, then
 *   - sequential: one client, one batch at a time (latency per batch: median, p99);
 *   - concurrent: 8 clients (lines/s the server sustains with several flows sending).
 * Request bodies are built before timing, so the figures are the server's (HTTP parse, validation,
 * one transaction per batch, answer). The server runs in its own process (as `weir server start`
 * does); the clients use node:http with keep-alive.
 * Writes bench/flow/RESULTS-server.md.
 *
 *   npm run build && node --import tsx bench/flow/ingest.ts
 *   BATCHES=400 BATCH=1000 node --import tsx bench/flow/ingest.ts
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { probePostgres, startTempServer } from "@weir/test-support";
import Database from "better-sqlite3";

const BATCHES = Number(process.env.BATCHES ?? "200");
/** Each phase is repeated; throughput is the median over repetitions (the box is shared). */
const REPEATS = Number(process.env.REPEATS ?? "3");
const BATCH = Number(process.env.BATCH ?? "1000");
const CLIENTS = Number(process.env.CLIENTS ?? "8");
const WARMUP = 30;
const RUNS = 10;

function median(values: number[]): number {
  return quantile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

interface Result {
  backend: string;
  seqLinesPerSec: number;
  seqRange: [number, number];
  seqMedianMs: number;
  seqP99Ms: number;
  concLinesPerSec: number;
  concRange: [number, number];
  concMedianMs: number;
  concP99Ms: number;
  stored: number;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function request(
  url: string,
  method: string,
  pathname: string,
  body?: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders =
      body === undefined
        ? {}
        : { "content-type": "application/json", "content-length": Buffer.byteLength(body) };
    const req = http.request(`${url}${pathname}`, { method, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

async function post(url: string, body: string): Promise<number> {
  const started = performance.now();
  const { status, text } = await request(url, "POST", "/api/ingest", body);
  const answer = JSON.parse(text) as { accepted?: { logs: number } };
  if (status !== 200 || answer.accepted?.logs !== BATCH) throw new Error(`ingest answered ${status} ${text}`);
  return performance.now() - started;
}

/** Starts `startServer` in a child process (cwd = repository root) and resolves with its URL. */
async function spawnServer(
  options: Record<string, unknown>,
): Promise<{ url: string; stop(): Promise<void> }> {
  const script = `import { startServer } from "@weir/server";
const s = await startServer(${JSON.stringify(options)});
console.log(s.url);
process.once("SIGTERM", () => void s.close().then(() => process.exit(0)));`;
  const root = fileURLToPath(new URL("../..", import.meta.url));
  const extra = (process.env.SERVER_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const child = spawn(process.execPath, [...extra, "--input-type=module", "-e", script], {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.once("data", (d: Buffer) => resolve(d.toString().trim()));
    child.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
  });
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

function bodies(runIds: string[], count: number, seqStart: Map<string, number>): string[] {
  const out: string[] = [];
  for (let b = 0; b < count; b++) {
    const runId = runIds[b % runIds.length]!;
    let seq = seqStart.get(runId) ?? 0;
    const now = Date.now();
    const logs = Array.from({ length: BATCH }, (_, i) => ({
      runId,
      seq: seq++,
      level: i % 50 === 0 ? "warning" : "info",
      message: `Processed event ${seq} of topic river_pipeline: precision=0.8123 recall=0.7741`,
      fields: { offset: seq, partition: 0 },
      timestamp: new Date(now + i).toISOString(),
    }));
    seqStart.set(runId, seq);
    out.push(JSON.stringify({ logs }));
  }
  return out;
}

/** Measures a server on SQLite, or on a fresh database of the PostgreSQL server at `postgresUrl`. */
async function measure(postgresUrl?: string): Promise<Result> {
  const backend = postgresUrl === undefined ? "sqlite" : "postgres";
  const server = await startTempServer(
    async (place) => {
      const child = await spawnServer({ ...place, apiKey: "" });
      return { url: child.url, close: () => child.stop() };
    },
    { prefix: "weir-bench-ingest-", postgresUrl },
  );
  try {
    const runIds: string[] = [];
    for (let i = 0; i < RUNS; i++) {
      const id = randomUUID();
      const res = await request(
        server.url,
        "POST",
        "/api/runs",
        JSON.stringify({ id, flowName: "bench-ingest", state: "Running" }),
      );
      if (res.status !== 201) throw new Error(`create run: ${res.status} ${res.text}`);
      runIds.push(id);
    }
    const seqs = new Map<string, number>();
    for (const body of bodies(runIds, WARMUP, seqs)) await post(server.url, body);

    const seqLatencies: number[] = [];
    const concLatencies: number[] = [];
    const seqRates: number[] = [];
    const concRates: number[] = [];
    for (let r = 0; r < REPEATS; r++) {
      const sequential = bodies(runIds, BATCHES, seqs);
      let started = performance.now();
      for (const body of sequential) seqLatencies.push(await post(server.url, body));
      seqRates.push((BATCHES * BATCH) / ((performance.now() - started) / 1000));

      const concurrent = bodies(runIds, BATCHES, seqs);
      let next = 0;
      started = performance.now();
      await Promise.all(
        Array.from({ length: CLIENTS }, async () => {
          while (next < concurrent.length) concLatencies.push(await post(server.url, concurrent[next++]!));
        }),
      );
      concRates.push((BATCHES * BATCH) / ((performance.now() - started) / 1000));
    }

    const totals = await Promise.all(
      runIds.map(async (id) => {
        const res = await request(server.url, "GET", `/api/runs/${id}/logs?order=desc&limit=1`);
        const page = JSON.parse(res.text) as { items: { seq: number }[] };
        return (page.items[0]?.seq ?? -1) + 1;
      }),
    );
    seqLatencies.sort((a, b) => a - b);
    concLatencies.sort((a, b) => a - b);
    return {
      backend: backend === "sqlite" ? "SQLite" : "PostgreSQL",
      seqLinesPerSec: median(seqRates),
      seqRange: [Math.min(...seqRates), Math.max(...seqRates)],
      seqMedianMs: quantile(seqLatencies, 0.5),
      seqP99Ms: quantile(seqLatencies, 0.99),
      concLinesPerSec: median(concRates),
      concRange: [Math.min(...concRates), Math.max(...concRates)],
      concMedianMs: quantile(concLatencies, 0.5),
      concP99Ms: quantile(concLatencies, 0.99),
      stored: totals.reduce((a, b) => a + b, 0),
    };
  } finally {
    await server.close();
  }
}

/**
 * The floor on this machine right now: the same rows inserted straight into a SQLite table of the
 * same shape with one prepared statement, no HTTP, no validation. Shows how much of the figure is
 * the machine (the benchmark box is shared) and how much the server.
 */
function rawSqliteRowsPerSec(): number {
  const dir = mkdtempSync(path.join(tmpdir(), "weir-bench-raw-"));
  const db = new Database(path.join(dir, "raw.db"));
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.exec(`create table logs (run_id varchar(36) not null, seq bigint not null, level_no integer not null,
      message text not null, fields text, timestamp bigint not null, task_run_id varchar(36),
      primary key (run_id, seq)) without rowid`);
    const insert = db.prepare(
      "insert into logs values (?, ?, ?, ?, ?, ?, ?) on conflict (run_id, seq) do nothing",
    );
    const runIds = Array.from({ length: RUNS }, () => randomUUID());
    const seqs = new Array<number>(RUNS).fill(0);
    const batch = db.transaction((b: number) => {
      const r = b % RUNS;
      for (let i = 0; i < BATCH; i++) {
        const seq = seqs[r]!++;
        const message = `Processed event ${seq} of topic river_pipeline: precision=0.8123 recall=0.7741`;
        insert.run(runIds[r], seq, 20, message, `{"offset":${seq},"partition":0}`, Date.now(), null);
      }
    });
    for (let b = 0; b < WARMUP; b++) batch(b);
    const started = performance.now();
    for (let b = 0; b < BATCHES; b++) batch(b);
    return (BATCHES * BATCH) / ((performance.now() - started) / 1000);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The machine's PostgreSQL server (`WEIR_TEST_POSTGRES_URL` or the default), or undefined when it does not answer. */
async function postgresServer(): Promise<string | undefined> {
  const probe = await probePostgres().catch(() => undefined);
  return probe?.ok === true ? probe.value : undefined;
}

const rawBefore = rawSqliteRowsPerSec();
const results: Result[] = [await measure()];
const postgres = await postgresServer();
if (postgres !== undefined) results.push(await measure(postgres));
else console.warn("PostgreSQL not reachable: measuring SQLite only");
const rawAfter = rawSqliteRowsPerSec();

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const ms = (n: number) => n.toFixed(1);
const expected = (WARMUP + 2 * REPEATS * BATCHES) * BATCH;
const table = [
  "| backend | sequential lines/s (min–max) | batch median | batch p99 | " +
    `${CLIENTS} clients lines/s (min–max) | batch median | batch p99 | stored / sent |`,
  "|---|---|---|---|---|---|---|---|",
  ...results.map(
    (r) =>
      `| ${r.backend} | **${fmt(r.seqLinesPerSec)}** (${fmt(r.seqRange[0])}–${fmt(r.seqRange[1])}) | ${ms(r.seqMedianMs)} ms | ${ms(r.seqP99Ms)} ms | **${fmt(r.concLinesPerSec)}** (${fmt(r.concRange[0])}–${fmt(r.concRange[1])}) | ${ms(r.concMedianMs)} ms | ${ms(r.concP99Ms)} ms | ${fmt(r.stored)} / ${fmt(expected)} |`,
  ),
];
const text = `# Weir server: log ingestion

Measured ${new Date().toISOString().slice(0, 10)} with \`node --import tsx bench/flow/ingest.ts\` (Node ${process.version}, ${cpus().length} CPU(s) shared with other work; the server in its own process, the clients using node:http keep-alive).
Each batch is ${fmt(BATCH)} log lines (~150 bytes of JSON each, with structured fields) sent to
\`POST /api/ingest\`; ${BATCHES} batches sequentially from one client, then ${BATCHES} batches from ${CLIENTS}
concurrent clients, both repeated ${REPEATS} times (lines/s: the median repetition, with the slowest and
fastest), after ${WARMUP} warm-up batches, spread over ${RUNS} Running runs. Latency is per
batch, end to end over HTTP (JSON parse, validation — the fast path of the zod schema —, one transaction, answer).

${table.join("\n")}

Target (issue 4): ≥ 100,000 log lines/s ingested on SQLite.

Floor of this machine during the run: the same rows inserted straight into SQLite (one prepared
statement, one transaction per ${fmt(BATCH)} rows, no HTTP, no validation) ran at
**${fmt(rawBefore)}** rows/s before and **${fmt(rawAfter)}** rows/s after the measurements; load average
${loadavg()
  .map((l) => l.toFixed(1))
  .join(" / ")} (1/5/15 min) at the end. On a shared, loaded box the server's figure moves with that floor.
`;
writeFileSync(new URL("./RESULTS-server.md", import.meta.url), text);
console.log(text);
agent.destroy();
