/**
 * `node --import tsx bench/deployments/schedule.bench.ts`: 1,000 deployments on 60 s intervals,
 * the time from each run's scheduled slot to claimed (the claim's answer in the worker's hands)
 * and to Running (the run's Running transition stored), on SQLite and PostgreSQL, with the CPU
 * time of the server (a process of its own; its /proc times are read), of this program (the
 * workers and their "children") and of the whole machine (/proc/stat) in each burst.
 *
 * Anchors: `same` (default) gives every deployment the default interval anchor, so all 1,000 slots
 * fall on the same instant once a minute — the worst burst such a setup can make; `staggered`
 * spreads the anchors evenly over the minute.
 *
 * The workers behave as `weir worker start --limit <n>` does, minus the child processes (whose
 * start-up the worker benchmark measures): each heartbeats every 5 s, long-polls
 * `POST /api/work-pools/default/claim` with `limit` = its free slots, and starts every claimed run at
 * once. `BENCH_RUNNING=per-run` (default): each run then posts its own `Running` and then its own
 * `Completed` in `POST /api/ingest` batches of one state, as the flow client of a child process
 * does (`@weir/flow` reports states through its ingest reporter). `BENCH_RUNNING=batch`: one ingest
 * batch carries the Running transitions of a whole claim (the earlier, kinder variant).
 *
 * Env: BENCH_DEPLOYMENTS (1000), BENCH_MINUTES (measured minutes, 2), BENCH_BACKENDS
 * ("sqlite,postgres"), BENCH_ANCHORS ("same" | "staggered"), BENCH_RUNNING ("per-run" | "batch"),
 * BENCH_WORKERS (10), BENCH_WORKER_LIMIT (100), BENCH_SERVER (the server program, default
 * server-process.ts beside this file; another build of the server for a before/after comparison),
 * WEIR_TEST_POSTGRES_URL (postgres://postgres@127.0.0.1:5432/test). Quick run: BENCH_DEPLOYMENTS=100 BENCH_MINUTES=1.
 * Prints one JSON line and one Markdown table row per backend; results are kept by hand in
 * bench/deployments/RESULTS-deployments.md.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

import type { ClaimAnswer } from "@weir/protocol";
import { freshPostgresDatabase } from "@weir/test-support";

const DEPLOYMENTS = Number(process.env.BENCH_DEPLOYMENTS ?? 1000);
const MINUTES = Number(process.env.BENCH_MINUTES ?? 2);
const ANCHORS = process.env.BENCH_ANCHORS === "staggered" ? "staggered" : "same";
const RUNNING = process.env.BENCH_RUNNING === "batch" ? "batch" : "per-run";
const WORKERS = Number(process.env.BENCH_WORKERS ?? 10);
const LIMIT = Number(process.env.BENCH_WORKER_LIMIT ?? 100);
const SERVER = process.env.BENCH_SERVER ?? join(dirname(fileURLToPath(import.meta.url)), "server-process.ts");
const POSTGRES = process.env.WEIR_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const TICKS = 100; // USER_HZ of /proc/<pid>/stat and /proc/stat
/** The burst window in which CPU is counted, around each measured minute's slot instant. */
const BURST_FROM_MS = -1000;
const BURST_TO_MS = 15_000;

async function post<T>(url: string, body: unknown): Promise<T> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`POST ${url} → ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** CPU seconds (user + system) process `pid` has used so far. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

/** CPU seconds the whole machine has been busy (all cores, everything but idle and iowait). */
function machineBusySeconds(): number {
  const [, ...ticks] = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/);
  const t = ticks.map(Number);
  return (t.reduce((a, b) => a + b, 0) - t[3]! - t[4]!) / TICKS;
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { p50: pct(s, 50), p99: pct(s, 99), max: s.at(-1) ?? NaN };
};

interface Result {
  backend: string;
  samples: number;
  claimed: { p50: number; p99: number; max: number };
  running: { p50: number; p99: number; max: number };
  /** CPU seconds per burst (average over the measured minutes): server, this program, machine. */
  burstCpu: { server: number; bench: number; machine: number };
  load: string;
}

/** Samples of the measured slots: when each run was claimed and when its Running was stored. */
interface Samples {
  claimed: number[];
  running: number[];
  measured(slot: number): boolean;
}

/**
 * One worker of capacity {@link LIMIT}: claims as many runs as it has free slots, "starts" each at
 * once (see the file's comment for what a run posts), and heartbeats every 5 s.
 */
async function worker(url: string, index: number, stopAt: number, samples: Samples): Promise<void> {
  const workerId = randomUUID();
  const held = new Set<string>();
  let slotFreed: () => void = () => undefined;
  const done: Promise<unknown>[] = [];
  const beat = () =>
    post(`${url}/api/workers/heartbeat`, {
      workerId,
      name: `bench-worker-${index}`,
      pool: "default",
      limit: LIMIT,
      running: [...held],
      heartbeatIntervalMs: 5000,
    });
  await beat();
  const beating = setInterval(() => void beat().catch((e: unknown) => console.error(e)), 5000);
  const state = (runId: string, type: "Running" | "Completed") => ({
    runId,
    id: randomUUID(),
    type,
    timestamp: new Date().toISOString(),
    ...(type === "Running" ? { message: "Started by a worker." } : {}),
  });
  const finish = (runIds: string[]) =>
    post(`${url}/api/ingest`, { states: runIds.map((id) => state(id, "Completed")) }).then(() => {
      for (const id of runIds) held.delete(id);
      slotFreed();
    });
  try {
    while (Date.now() < stopAt) {
      if (held.size >= LIMIT) {
        await new Promise<void>((resolve) => (slotFreed = resolve));
        continue;
      }
      const answer = await post<ClaimAnswer>(`${url}/api/work-pools/default/claim`, {
        workerId,
        limit: LIMIT - held.size,
        waitMs: Math.max(0, Math.min(30_000, stopAt - Date.now())),
      });
      if (answer.runs.length === 0) continue;
      const claimedAt = Date.now();
      const runs = answer.runs.map(({ run }) => ({ id: run.id, slot: Date.parse(run.scheduledFor!) }));
      for (const run of runs) {
        held.add(run.id);
        if (samples.measured(run.slot)) samples.claimed.push(claimedAt - run.slot);
      }
      const ran = (ids: { slot: number }[]) => {
        const at = Date.now();
        for (const run of ids) if (samples.measured(run.slot)) samples.running.push(at - run.slot);
      };
      if (RUNNING === "batch") {
        await post(`${url}/api/ingest`, { states: runs.map((r) => state(r.id, "Running")) });
        ran(runs);
        done.push(finish(runs.map((r) => r.id)));
      } else
        for (const run of runs)
          done.push(
            post(`${url}/api/ingest`, { states: [state(run.id, "Running")] }).then(() => {
              ran([run]);
              return finish([run.id]);
            }),
          );
    }
    await Promise.all(done);
  } finally {
    clearInterval(beating);
  }
}

async function measure(backend: "sqlite" | "postgres"): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), "weir-bench-deployments-"));
  const database = backend === "postgres" ? await freshPostgresDatabase(POSTGRES, "weir_bench") : undefined;
  const db = database?.url ?? `sqlite:${join(dir, "weir.db")}`;
  const child = spawn(process.execPath, ["--import", "tsx", SERVER, db, dir], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      child.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
      createInterface({ input: child.stdout }).once("line", resolve);
    });
    const base = Date.UTC(2000, 0, 1);
    for (let i = 0; i < DEPLOYMENTS; i++)
      await post(`${url}/api/deployments`, {
        name: `bench-${i}`,
        flowName: `bench-flow-${i % 20}`,
        entrypoint: "./flows.ts:bench",
        schedule: {
          intervalMs: 60_000,
          ...(ANCHORS === "staggered"
            ? { anchor: new Date(base + Math.floor((i * 60_000) / DEPLOYMENTS)).toISOString() }
            : {}),
        },
      });
    // Measure whole minutes that start after every deployment had time to get its slots.
    const first = Math.ceil((Date.now() + 5000) / 60_000) * 60_000;
    const end = first + MINUTES * 60_000; // slots in [first, end) are measured
    const stopAt = end + 30_000;
    const samples: Samples = { claimed: [], running: [], measured: (s) => s >= first && s < end };
    const burst = { server: 0, bench: 0, machine: 0 };
    const timers: NodeJS.Timeout[] = [];
    for (let m = 0; m < MINUTES; m++) {
      const at = first + m * 60_000;
      let before = { server: 0, bench: 0, machine: 0 };
      const read = () => {
        const usage = process.cpuUsage();
        return {
          server: cpuSeconds(child.pid!),
          bench: (usage.user + usage.system) / 1e6,
          machine: machineBusySeconds(),
        };
      };
      timers.push(setTimeout(() => (before = read()), at + BURST_FROM_MS - Date.now()));
      timers.push(
        setTimeout(
          () => {
            const after = read();
            for (const k of ["server", "bench", "machine"] as const)
              burst[k] += (after[k] - before[k]) / MINUTES;
          },
          at + BURST_TO_MS - Date.now(),
        ),
      );
    }
    await Promise.all(Array.from({ length: WORKERS }, (_, i) => worker(url, i, stopAt, samples)));
    for (const t of timers) clearTimeout(t);
    const expected = DEPLOYMENTS * MINUTES;
    if (samples.claimed.length !== expected || samples.running.length !== expected)
      throw new Error(
        `expected ${expected} measured runs, got ${samples.claimed.length} claimed, ${samples.running.length} Running`,
      );
    return {
      backend,
      samples: expected,
      claimed: stats(samples.claimed),
      running: stats(samples.running),
      burstCpu: burst,
      load: loadavg()
        .map((l) => l.toFixed(2))
        .join(", "),
    };
  } finally {
    child.kill("SIGTERM");
    await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once("exit", resolve)));
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const backends = (process.env.BENCH_BACKENDS ?? "sqlite,postgres").split(",") as ("sqlite" | "postgres")[];
console.log(
  `${DEPLOYMENTS} deployments, anchors ${ANCHORS}, Running ${RUNNING}, ${WORKERS} workers × ${LIMIT}, ` +
    `${MINUTES} min; ${cpus().length} × ${cpus()[0]?.model ?? "?"}; load at start ${loadavg()[0]!.toFixed(2)}`,
);
for (const backend of backends) {
  const r = await measure(backend);
  console.log(JSON.stringify(r));
  const c = r.burstCpu;
  console.log(
    `| ${r.backend} | ${ANCHORS} | ${RUNNING} | ${r.samples} | ${r.claimed.p50} / ${r.claimed.p99} / ${r.claimed.max} | ` +
      `${r.running.p50} / ${r.running.p99} / ${r.running.max} | ${c.server.toFixed(2)} s | ${c.bench.toFixed(2)} s | ` +
      `${c.machine.toFixed(2)} s | ${r.load} |`,
  );
}
