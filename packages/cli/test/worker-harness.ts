/**
 * Test helpers of the worker suites: a real Weir server (SQLite or PostgreSQL) with fast scheduler and
 * liveness passes, real `weir worker start` processes (the built CLI), JSON calls of the API, polling.
 * Test code: not part of the package build.
 */
import { spawn } from "node:child_process";
import type { ChildProcessByStdio } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";

import type { Run } from "@weir/protocol";
import { startServer } from "@weir/server";
import type { WeirServer } from "@weir/server";
import { probePostgres, requireService, startTempServer } from "@weir/test-support";
import type { TempServer } from "@weir/test-support";

export const bin = fileURLToPath(new URL("../dist/bin.js", import.meta.url));
export const fixtures = fileURLToPath(new URL("./fixtures/", import.meta.url));

const postgres = await requireService("PostgreSQL", () => probePostgres());

/** The storage backends every storage-dependent suite runs on. */
export const backends = [
  { backend: "SQLite", skip: false, postgresUrl: undefined as string | undefined },
  { backend: "PostgreSQL", skip: postgres.skip, postgresUrl: postgres.value },
];

/** A temp directory removed by the returned function. */
export function tempDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), "weir-worker-"));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A real server with the scheduler/worker check every 200 ms (offline after 3 missed heartbeats). */
export function startWeir(dataDir: string, postgresUrl: string | undefined): Promise<TempServer<WeirServer>> {
  return startTempServer(
    (place) => startServer({ ...place, schedulerIntervalMs: 200, livenessCheckIntervalMs: 200 }),
    {
      dataDir,
      postgresUrl,
    },
  );
}

/** One call of the API; throws on an unexpected status. */
export async function api<T>(
  url: string,
  method: string,
  apiPath: string,
  body?: unknown,
  expected?: number,
): Promise<T> {
  const res = await fetch(`${url}/api${apiPath}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? null : JSON.stringify(body),
  });
  const text = await res.text();
  if (expected !== undefined ? res.status !== expected : !res.ok) {
    throw new Error(`${method} ${apiPath} → ${res.status}: ${text}`);
  }
  return (text === "" ? undefined : JSON.parse(text)) as T;
}

export const getRun = (url: string, id: string): Promise<Run> => api<Run>(url, "GET", `/runs/${id}`);

/** Every run of a deployment. */
export async function deploymentRuns(url: string, deploymentId: string): Promise<Run[]> {
  const runs: Run[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `/runs?deploymentId=${deploymentId}&limit=500${cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`}`;
    const page: { items: Run[]; nextCursor: string | null } = await api(url, "GET", query);
    runs.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return runs;
}

/** Polls `check` until it returns a value other than undefined (or throws after `timeoutMs`). */
export async function waitFor<T>(
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`, { cause: last });
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A `weir worker start` process; `output` collects what it prints. */
export interface WorkerProcess {
  child: ChildProcessByStdio<null, Readable, Readable>;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startWorker(url: string, args: string[], env: Record<string, string> = {}): WorkerProcess {
  const child = spawn(process.execPath, [bin, "worker", "start", ...args], {
    env: { ...process.env, WEIR_API_URL: url, WEIR_API_KEY: "", WEIR_PRINT_LOGS: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  child.stdout.on("data", (d: Buffer) => (text += d.toString()));
  child.stderr.on("data", (d: Buffer) => (text += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => text, exited };
}

/** The `<run id> <pid>` lines the fixture flows append when their code starts. */
export function starts(dir: string): Array<{ runId: string; pid: number }> {
  let text = "";
  try {
    text = readFileSync(path.join(dir, "starts.log"), "utf8");
  } catch {
    return [];
  }
  return text
    .trim()
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => {
      const [runId, pid] = l.split(" ");
      return { runId: runId as string, pid: Number(pid) };
    });
}

/** Whether a process exists and has not exited (a zombie, not reaped by whoever adopted it, is gone). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // "<pid> (<name>) <state> …": Z is a zombie.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** The pids of live processes whose environment has `FIXTURE_DIR=<dir>` (a worker and its children). */
export function processesOf(dir: string): number[] {
  const mark = `\0FIXTURE_DIR=${dir}\0`;
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (`\0${readFileSync(`/proc/${entry}/environ`, "utf8")}`.includes(mark)) found.push(Number(entry));
    } catch {
      // gone meanwhile, or not ours
    }
  }
  return found;
}
