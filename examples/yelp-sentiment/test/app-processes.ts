// Test code of the example (not part of its build): a real Weir server and the components as real processes.
import type { ChildProcess, ChildProcessByStdio } from "node:child_process";
import { spawn } from "node:child_process";
import { join } from "node:path";
import type { Readable } from "node:stream";

import { startServer } from "@weir/server";
import type { Stream } from "@weir/stream";
import { repoRoot, startTempServer } from "@weir/test-support";

import type { MetricsEvent } from "../src/topics.js";

export const CLI_BIN = join(repoRoot, "packages/cli/dist/bin.js");

export interface TestServer {
  readonly url: string;
  readonly home: string;
  close(): Promise<void>;
}

/** Options of {@link startTestServer}. */
export interface TestServerOptions {
  /**
   * A PostgreSQL server (`postgres://…`, e.g. from `probePostgres`): the control plane is stored in a
   * fresh database created on it and dropped on close. `undefined`: SQLite in the data folder.
   */
  readonly postgresUrl?: string | undefined;
  /** The server's API key (writes, and predictions unless models are public, need it). @default none */
  readonly apiKey?: string;
}

/** A Weir server on a free port with its own data folder (and its own database on PostgreSQL). */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const weir = await startTempServer(
    (place) =>
      startServer({
        ...place,
        dataDir: join(place.dataDir, "server"),
        livenessCheckIntervalMs: 1000,
        apiKey: options.apiKey ?? "",
      }),
    { prefix: "weir-yelp-e2e-", postgresUrl: options.postgresUrl },
  );
  return { url: weir.url, home: weir.dataDir, close: () => weir.close() };
}

export interface Component {
  readonly child: ChildProcess;
  output(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs `weir example yelp <args>` as its own process (in `cwd`, default this one's). */
export function startComponent(args: readonly string[], env: NodeJS.ProcessEnv, cwd?: string): Component {
  return watched(
    spawn(process.execPath, [CLI_BIN, "example", "yelp", ...args], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
      ...(cwd === undefined ? {} : { cwd }),
    }),
  );
}

/** Runs a TypeScript program (e.g. `minimal-subscriber.ts` of this folder) as its own process, through tsx. */
export function startScript(script: string, args: readonly string[], env: NodeJS.ProcessEnv): Component {
  return watched(
    spawn(process.execPath, ["--import", "tsx", script, ...args], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    }),
  );
}

function watched(child: ChildProcessByStdio<null, Readable, Readable>): Component {
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => output, exited };
}

/** GET `<url>/api<path>` as JSON. */
export async function api<T>(url: string, path: string): Promise<T> {
  const response = await fetch(`${url}/api${path}`);
  if (!response.ok) throw new Error(`GET ${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

export interface RunSummary {
  id: string;
  flowName: string;
  state: string;
  stateMessage: string | null;
}

/** The newest run of a flow, or undefined. */
export async function latestRun(url: string, flowName: string): Promise<RunSummary | undefined> {
  const page = await api<{ items: RunSummary[] }>(url, `/runs?flow=${encodeURIComponent(flowName)}&limit=1`);
  return page.items[0];
}

/** Polls `check` until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: Error | undefined;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error instanceof Error ? error : new Error(String(error));
    }
    if (Date.now() > deadline)
      throw new Error(`Timed out waiting for ${what}${last ? ` (${last.message})` : ""}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Counts the run's log lines at WARNING or above whose message contains `text`. */
export async function countLogs(url: string, runId: string, text: string): Promise<number> {
  const page = await api<{ total: number }>(
    url,
    `/runs/${runId}/logs?level=warning&q=${encodeURIComponent(text)}&limit=1`,
  );
  return page.total;
}

/** Reads the first `count` metrics events of `topic` from the start, acknowledging each. */
export async function readMetrics(stream: Stream, topic: string, count: number): Promise<MetricsEvent[]> {
  const metrics: MetricsEvent[] = [];
  const reading = new AbortController();
  for await (const event of stream.subscribe(topic, { from: "earliest", signal: reading.signal })) {
    metrics.push(event.json<MetricsEvent>());
    await event.ack(); // a reader holds at most maxInFlight unacknowledged events
    if (metrics.length === count) reading.abort();
  }
  return metrics;
}
