import path from "node:path";
import { WeirConfigError } from "./errors.js";

/** Client settings. Every field has a default; environment variables override defaults, options override both. */
export interface WeirClientConfig {
  /** Base URL of the Weir server. Env `WEIR_API_URL`. @default "http://127.0.0.1:4200" */
  apiUrl: string;
  /** Bearer key for writes. Env `WEIR_API_KEY`. @default undefined */
  apiKey: string | undefined;
  /** Data directory; the spool lives in `<home>/spool`. Env `WEIR_HOME`. @default "./.weir" */
  home: string;
  /** Largest batch of logs/metrics/states sent in one request. @default 1000 */
  batchSize: number;
  /** How often queued items are sent, in ms. Env `WEIR_BATCH_INTERVAL_MS`. @default 1000 */
  batchIntervalMs: number;
  /** Items kept in memory before the queue spills to the disk spool. @default 20000 */
  maxQueueItems: number;
  /** Bound of the disk spool in bytes; beyond it logs and metrics are dropped and counted. Env `WEIR_SPOOL_MAX_BYTES`. @default 268435456 (256 MiB) */
  spoolMaxBytes: number;
  /** Size at which a spool segment file is closed and a new one started. @default 8388608 (8 MiB) */
  spoolSegmentBytes: number;
  /** Timeout of one HTTP request to the server, in ms. @default 10000 */
  requestTimeoutMs: number;
  /**
   * How long the end of a top-level run (and `flush()`, and a shutdown) keeps trying to deliver what is
   * queued while the server is unreachable, in ms; what is left stays in the spool. Env `WEIR_FLUSH_TIMEOUT_MS`.
   * @default 10000
   */
  flushTimeoutMs: number;
  /** After SIGINT/SIGTERM, how long runs get to stop before they are marked Cancelled anyway, in ms. Env `WEIR_SHUTDOWN_GRACE_MS`. @default 5000 */
  shutdownGraceMs: number;
  /**
   * While a flow run is live, the client asks the server at least this often whether a cancel was
   * requested for it (an empty heartbeat; any batch answer tells too), in ms; the run's `ctx.signal` aborts
   * within about this long plus a round trip. Env `WEIR_CANCEL_CHECK_INTERVAL_MS`. @default 1000
   */
  cancelCheckIntervalMs: number;
  /** How long `ctx.checkpoint.save/load` keep retrying an unreachable server, in ms. @default 30000 */
  checkpointTimeoutMs: number;
  /** Print run logs to the terminal (stderr) as well. Env `WEIR_PRINT_LOGS=0` turns it off. @default true */
  printLogs: boolean;
}

function envNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) {
    throw new WeirConfigError(
      `Environment variable ${name}="${raw}" is not a non-negative number. Fix or unset it.`,
    );
  }
  return n;
}

/**
 * The configuration in effect: defaults, then environment variables, then `overrides`.
 * @example
 * resolveConfig({ apiUrl: "http://127.0.0.1:4300" }, process.env);
 */
export function resolveConfig(
  overrides: Partial<WeirClientConfig> = {},
  env: NodeJS.ProcessEnv = process.env,
): WeirClientConfig {
  const config: WeirClientConfig = {
    apiUrl: env.WEIR_API_URL || "http://127.0.0.1:4200",
    apiKey: env.WEIR_API_KEY || undefined,
    home: env.WEIR_HOME || "./.weir",
    batchSize: 1000,
    batchIntervalMs: envNumber(env, "WEIR_BATCH_INTERVAL_MS", 1000),
    maxQueueItems: 20_000,
    spoolMaxBytes: envNumber(env, "WEIR_SPOOL_MAX_BYTES", 256 * 1024 * 1024),
    spoolSegmentBytes: 8 * 1024 * 1024,
    requestTimeoutMs: 10_000,
    flushTimeoutMs: envNumber(env, "WEIR_FLUSH_TIMEOUT_MS", 10_000),
    shutdownGraceMs: envNumber(env, "WEIR_SHUTDOWN_GRACE_MS", 5000),
    cancelCheckIntervalMs: envNumber(env, "WEIR_CANCEL_CHECK_INTERVAL_MS", 1000),
    checkpointTimeoutMs: 30_000,
    printLogs: !["0", "false", "no"].includes((env.WEIR_PRINT_LOGS ?? "").toLowerCase()),
    ...stripUndefined(overrides),
  };
  try {
    const url = new URL(config.apiUrl);
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error(`protocol ${url.protocol}`);
  } catch (cause) {
    throw new WeirConfigError(
      `The Weir API URL "${config.apiUrl}" is not an http(s) URL. Set WEIR_API_URL (or configure({ apiUrl })) ` +
        `to e.g. http://127.0.0.1:4200.`,
      { cause },
    );
  }
  config.apiUrl = config.apiUrl.replace(/\/+$/, "");
  config.home = path.resolve(config.home);
  return config;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
