/**
 * Test helpers of @weir/flow: a real Weir server in a temp directory, JSON reads of the API, polling, and
 * the child processes of `fixtures/`. Test code: not part of the package build.
 */
import { spawn } from "node:child_process";
import type { ChildProcessByStdio } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { startServer } from "@weir/server";
import { freePort, startTempServer } from "@weir/test-support";
import { afterAll, beforeAll } from "vitest";

import { closeClient, configure } from "../src/index.js";

export interface TestServer {
  url: string;
  port: number;
  dataDir: string;
  close(): Promise<void>;
}

/** A temp directory removed by the returned function. */
export function tempDir(prefix = "weir-flow-"): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * The servers and temp directory of one test file, all released after it (with the flow client):
 * `server(dataDir, port?)` starts a real Weir server that the file's `afterAll` closes.
 *
 * @example
 * const { tmp, server } = serverSuite();
 * const first = await server(`${tmp.dir}/outage-server`);
 */
export function serverSuite(options: { livenessCheckIntervalMs?: number } = {}): {
  tmp: { dir: string; remove(): void };
  server: (dataDir: string, port?: number) => Promise<TestServer>;
} {
  const tmp = tempDir();
  const servers: TestServer[] = [];
  afterAll(async () => {
    await closeClient();
    for (const s of servers) await s.close().catch(() => undefined);
    tmp.remove();
  });
  return {
    tmp,
    server: async (dataDir, port) => {
      const started = await startTestServer({ dataDir, ...options, ...(port === undefined ? {} : { port }) });
      servers.push(started);
      return started;
    },
  };
}

/** Starts a real Weir server (SQLite in `dataDir`, which it keeps on close). */
export async function startTestServer(options: {
  dataDir: string;
  port?: number;
  livenessCheckIntervalMs?: number;
}): Promise<TestServer> {
  const { livenessCheckIntervalMs } = options;
  const weir = await startTempServer(
    (place) =>
      startServer({
        ...place,
        ...(livenessCheckIntervalMs === undefined ? {} : { livenessCheckIntervalMs }),
      }),
    { dataDir: options.dataDir, ...(options.port === undefined ? {} : { port: options.port }) },
  );
  return { url: weir.url, port: weir.server.port, dataDir: weir.dataDir, close: () => weir.close() };
}

/**
 * Starts a server before the calling file's tests and points the client at it (spool under a temp
 * home, batches every 100 ms); closes both after. Call at the top level of a test file.
 */
export function useServerForFile(): { readonly url: string } {
  const tmp = tempDir();
  let server: TestServer | undefined;
  beforeAll(async () => {
    server = await startTestServer({ dataDir: `${tmp.dir}/server` });
    configure({ apiUrl: server.url, home: `${tmp.dir}/client`, printLogs: false, batchIntervalMs: 100 });
  });
  afterAll(async () => {
    await closeClient();
    await server?.close();
    tmp.remove();
  });
  return {
    get url(): string {
      if (server === undefined) throw new Error("the test server starts in beforeAll");
      return server.url;
    },
  };
}

/** GET a JSON document from the API (`path` starts with /api). */
export async function getJson<T>(baseUrl: string, apiPath: string): Promise<T> {
  const response = await fetch(baseUrl + apiPath);
  if (!response.ok) throw new Error(`GET ${apiPath} → ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Every item of a paginated list. */
export async function getAll<T>(baseUrl: string, apiPath: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  const sep = apiPath.includes("?") ? "&" : "?";
  do {
    const page: Page<T> = await getJson<Page<T>>(
      baseUrl,
      `${apiPath}${sep}limit=500${cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`}`,
    );
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return items;
}

export interface RunView {
  id: string;
  startTime: string | null;
  endTime: string | null;
  durationMs: number | null;
  runCount: number;
  kind: "flow" | "task";
  flowName: string;
  taskName: string | null;
  name: string;
  state: string;
  stateMessage: string | null;
  parentRunId: string | null;
  flowRunId: string | null;
  parameters: Record<string, unknown>;
  tags: string[];
}

export interface LogView {
  seq: number;
  level: string;
  message: string;
  fields: Record<string, unknown> | null;
  taskRunId: string | null;
  timestamp: string;
}

export const getRun = (url: string, id: string): Promise<RunView> => getJson<RunView>(url, `/api/runs/${id}`);
export const getStates = async (url: string, id: string): Promise<string[]> =>
  (await getJson<Array<{ type: string }>>(url, `/api/runs/${id}/states`)).map((s) => s.type);
export const getHistory = (
  url: string,
  id: string,
): Promise<Array<{ type: string; message: string | null; timestamp: string }>> =>
  getJson(url, `/api/runs/${id}/states`);
export const getLogs = (url: string, id: string): Promise<LogView[]> =>
  getAll<LogView>(url, `/api/runs/${id}/logs?order=asc`);

/** Polls `check` until it returns a value other than undefined (or throws after `timeoutMs`). */
export async function waitFor<T>(
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 15_000,
  what = "condition",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`, { cause: lastError });
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A fixture script of `fixtures/`, run with `node --import tsx`, stdout captured line by line. */
export interface Fixture {
  child: ChildProcessByStdio<null, Readable, Readable>;
  lines: string[];
  stderr: string[];
  waitForLine(prefix: string, timeoutMs?: number): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function runFixture(name: string, env: Record<string, string>): Fixture {
  const script = fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
  const child = spawn(process.execPath, ["--import", "tsx", script], {
    env: { ...process.env, WEIR_PRINT_LOGS: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  const stderr: string[] = [];
  let buffer = "";
  child.stdout.on("data", (chunk: Buffer) => {
    buffer += chunk.toString("utf8");
    const parts = buffer.split("\n");
    buffer = parts.pop() ?? "";
    lines.push(...parts);
  });
  child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk.toString("utf8")));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    lines,
    stderr,
    exited,
    waitForLine: (prefix, timeoutMs = 20_000) =>
      waitFor(
        () => lines.find((line) => line.startsWith(prefix)),
        timeoutMs,
        `a line "${prefix}…" from ${name} (stderr: ${stderr.join("")})`,
      ),
  };
}

/** The URL of a local port nothing listens on (it was free a moment ago): a server that is down. */
export async function closedPortUrl(): Promise<string> {
  return `http://127.0.0.1:${await freePort()}`;
}
