/**
 * What the worker benchmarks share: the server in a process of its own (server-process.ts), one
 * `weir worker start` (the built CLI), a deployment of fixtures/bench-flows.mjs:stamp, the live channel
 * (to see final states as the server stores them) and the stamps the flow's code writes.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { freshPostgresDatabase, probePostgres } from "@weir/test-support";

const here = path.dirname(fileURLToPath(import.meta.url));
const cli = path.join(here, "../../packages/cli/dist/bin.js");

export interface Bench {
  url: string;
  stampsFile: string;
  deploymentId: string;
  /** Resolves with the epoch ms at which the live channel reported the run's final state. */
  ended(runId: string): Promise<number>;
  stamp(runId: string): number | undefined;
  close(): Promise<void>;
}

function lineFrom(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    child.stdout?.on("data", (d: Buffer) => {
      text += d.toString();
      const match = pattern.exec(text);
      if (match) resolve(match[1] as string);
    });
    child.once("exit", (code) => reject(new Error(`exited (${code}) before printing ${pattern}: ${text}`)));
  });
}

/** The backends to measure: SQLite, and PostgreSQL when the machine's server answers. */
export async function backends(): Promise<
  Array<{ name: string; db: (dir: string) => Promise<{ url: string; drop(): Promise<void> }> }>
> {
  const list = [
    {
      name: "SQLite",
      db: (dir: string) => Promise.resolve({ url: `sqlite:${dir}/weir.db`, drop: () => Promise.resolve() }),
    },
  ];
  const pg = await probePostgres().catch(() => undefined);
  if (pg?.ok === true)
    list.push({ name: "PostgreSQL", db: () => freshPostgresDatabase(pg.value, "weir_bench") });
  return list;
}

/** Starts the server, a worker with `limit` slots, and the deployment. */
export async function startBench(
  db: (dir: string) => Promise<{ url: string; drop(): Promise<void> }>,
  limit: number,
): Promise<Bench> {
  const dir = mkdtempSync(path.join(tmpdir(), "weir-bench-worker-"));
  const database = await db(dir);
  const server = spawn(
    process.execPath,
    ["--import", "tsx", path.join(here, "server-process.ts"), database.url, dir],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const url = await lineFrom(server, /(http:\/\/\S+)\n/);
  const stampsFile = path.join(dir, "stamps.log");
  writeFileSync(stampsFile, "");
  const worker = spawn(
    process.execPath,
    [cli, "worker", "start", "--pool", "bench", "--limit", String(limit), "--home", dir],
    {
      stdio: ["ignore", "pipe", "inherit"],
      env: {
        ...process.env,
        WEIR_API_URL: url,
        WEIR_API_KEY: "",
        WEIR_PRINT_LOGS: "0",
        BENCH_STAMPS: stampsFile,
      },
    },
  );
  await lineFrom(worker, /(serving pool)/);
  const res = await fetch(`${url}/api/deployments`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      name: "bench",
      flowName: "bench-stamp",
      entrypoint: "./bench-flows.mjs:stamp",
      workingDirectory: path.join(here, "fixtures"),
      workPool: "bench",
    }),
  });
  const deploymentId = ((await res.json()) as { id: string }).id;
  const finals = new Map<string, number>();
  const waiters = new Map<string, (at: number) => void>();
  const live = new AbortController();
  const events = await fetch(`${url}/api/events`, { signal: live.signal });
  const body = events.body;
  if (body === null) throw new Error("the live channel answered without a body");
  void (async () => {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        const frames = buffer.split("\n\n");
        buffer = frames.pop() ?? "";
        for (const frame of frames) {
          if (!frame.startsWith("event: run\n")) continue;
          const run = JSON.parse(frame.slice(frame.indexOf("data: ") + 6)) as { id: string; state: string };
          if (!["Completed", "Failed", "Crashed", "Cancelled", "TimedOut"].includes(run.state)) continue;
          const at = performance.timeOrigin + performance.now();
          finals.set(run.id, at);
          waiters.get(run.id)?.(at);
        }
      }
    } catch {
      // closed
    }
  })();
  return {
    url,
    stampsFile,
    deploymentId,
    ended: (runId) => {
      const known = finals.get(runId);
      return known !== undefined
        ? Promise.resolve(known)
        : new Promise((resolve) => waiters.set(runId, resolve));
    },
    stamp: (runId) => {
      const line = readFileSync(stampsFile, "utf8")
        .split("\n")
        .find((l) => l.startsWith(runId));
      return line === undefined ? undefined : Number(line.split(" ")[1]);
    },
    close: async () => {
      live.abort();
      worker.kill("SIGTERM");
      await new Promise((resolve) => worker.once("exit", resolve));
      server.kill("SIGTERM");
      await new Promise((resolve) => server.once("exit", resolve));
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** "Run now" on the deployment: the run's id, and the epoch ms just before the request was sent. */
export async function runNow(bench: Bench): Promise<{ id: string; sentAt: number }> {
  const sentAt = performance.timeOrigin + performance.now();
  const res = await fetch(`${bench.url}/api/deployments/${bench.deploymentId}/runs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
  });
  if (res.status !== 201) throw new Error(`Run now → ${res.status}: ${await res.text()}`);
  return { id: ((await res.json()) as { id: string }).id, sentAt };
}

export function summary(samples: number[]): { median: number; p99: number; n: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { median: at(0.5), p99: at(0.99), n: sorted.length };
}

export const machine = (): string =>
  `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")}`;

/** Replaces (or appends) the section between `<!-- key -->` markers of RESULTS-worker.md. */
export function writeSection(key: string, markdown: string): void {
  const file = path.join(here, "RESULTS-worker.md");
  let text = "# Worker benchmarks (issue 13)\n\n";
  try {
    text = readFileSync(file, "utf8");
  } catch {
    // first section
  }
  const start = `<!-- ${key} -->`;
  const end = `<!-- /${key} -->`;
  const block = `${start}\n${markdown.trim()}\n${end}`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  text =
    from >= 0 && to > from
      ? text.slice(0, from) + block + text.slice(to + end.length)
      : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, text);
}
