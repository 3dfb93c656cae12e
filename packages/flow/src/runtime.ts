import path from "node:path";
import { ApiClient } from "./api-client.js";
import type { WeirClientConfig } from "./config.js";
import { resolveConfig } from "./config.js";
import { WeirConfigError } from "./errors.js";
import { Heartbeats } from "./heartbeats.js";
import { Lifecycle } from "./lifecycle.js";
import { Reporter } from "./reporter.js";
import { Spool } from "./spool.js";

/** The per-process client state shared by all runs. Internal. */
export interface Runtime {
  readonly config: WeirClientConfig;
  readonly api: ApiClient;
  readonly reporter: Reporter;
  readonly heartbeats: Heartbeats;
  readonly lifecycle: Lifecycle;
  activeRuns: number;
}

let current: Runtime | undefined;
let overrides: Partial<WeirClientConfig> = {};

/** The runtime, created on first use from the environment and {@link configure} options. */
export function getRuntime(): Runtime {
  if (current === undefined) {
    const config = resolveConfig(overrides);
    const api = new ApiClient(config);
    const reporter = new Reporter(
      config,
      api,
      new Spool(path.join(config.home, "spool"), {
        maxBytes: config.spoolMaxBytes,
        segmentBytes: config.spoolSegmentBytes,
      }),
    );
    const lifecycle = new Lifecycle(reporter, config.shutdownGraceMs);
    reporter.onCancel = (runIds) => lifecycle.cancelRequested(runIds);
    current = {
      config,
      api,
      reporter,
      heartbeats: new Heartbeats(reporter, config.cancelCheckIntervalMs),
      lifecycle,
      activeRuns: 0,
    };
  }
  return current;
}

/** Options of {@link configure}: any client setting; see {@link WeirClientConfig} for defaults. */
export type ConfigureOptions = Partial<WeirClientConfig>;

/**
 * Sets client options in code (they win over environment variables). Call it before the first run, or
 * between runs: the previous client is flushed and closed in the background.
 * @example
 * configure({ apiUrl: "http://127.0.0.1:4300", home: "/var/lib/my-app/.weir" });
 */
export function configure(options: ConfigureOptions): void {
  if (current !== undefined && current.activeRuns > 0) {
    throw new WeirConfigError(
      "configure() was called while runs are active. Call it before starting flows or after they finished.",
    );
  }
  resolveConfig({ ...overrides, ...options }); // validate now, with a clear error
  overrides = { ...overrides, ...options };
  const previous = current;
  current = undefined;
  if (previous !== undefined) void closeRuntime(previous);
}

/**
 * Waits until every log, metric, state and artifact queued so far is delivered to the server, or safely
 * spooled on disk if the server is unreachable. Top-level flow runs already do this when they end.
 * @example
 * await flush();
 */
export async function flush(options: { timeoutMs?: number } = {}): Promise<void> {
  if (current === undefined) return;
  await current.reporter.flush(options.timeoutMs);
}

/**
 * Flushes and releases the client (timers, spool files, process listeners). The next run starts a new one.
 * @example
 * afterAll(() => closeClient());
 */
export async function closeClient(options: { timeoutMs?: number } = {}): Promise<void> {
  const previous = current;
  current = undefined;
  if (previous !== undefined) await closeRuntime(previous, options.timeoutMs);
}

async function closeRuntime(runtime: Runtime, timeoutMs?: number): Promise<void> {
  await runtime.reporter.close(timeoutMs);
  runtime.heartbeats.stopAll();
  runtime.lifecycle.dispose();
}
