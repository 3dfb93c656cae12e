import { AsyncLocalStorage } from "node:async_hooks";
import { WeirArgumentError, WeirNotInRunError } from "./errors.js";
import { toJsonRecord } from "./json-safe.js";
import type { LogFields, LogLevel, RunLogger } from "./logger.js";
import { createLogger, detachedLogger, printLine } from "./logger.js";
import type { Reporter } from "./reporter.js";
import type { WireMetricPoint } from "./wire.js";

/** What every run of one flow run shares: the flow run id and its `seq` counter (logs and metrics). */
export interface FlowRunShared {
  readonly id: string;
  readonly flowName: string;
  seq: number;
  /** Task run counters per task name, for readable task run names. */
  readonly taskCounters: Map<string, number>;
  /** Metric names already warned about (non-finite values), so the warning is logged once. */
  readonly warnedMetrics: Set<string>;
}

/** The run an async call chain is in (carried by AsyncLocalStorage). Internal. */
export interface RunFrame {
  readonly kind: "flow" | "task";
  readonly runId: string;
  /** The flow or task name. */
  readonly name: string;
  readonly runName: string;
  readonly flowRun: FlowRunShared;
  readonly signal: AbortSignal;
  readonly logPrints: boolean;
  readonly printLogs: boolean;
  readonly reporter: Reporter;
  readonly logger: RunLogger;
}

/** The AsyncLocalStorage of runs. Internal. */
export const runStorage = new AsyncLocalStorage<RunFrame>();

/** The frame of the current run, if any. */
export function currentFrame(): RunFrame | undefined {
  return runStorage.getStore();
}

/** Queues one log line of `frame`'s run (and prints it unless `print` is false). */
export function emitLog(
  frame: RunFrame,
  level: LogLevel,
  message: string,
  fields?: LogFields,
  print = true,
): void {
  const flowRun = frame.flowRun;
  flowRun.seq += 1;
  const safeFields = fields === undefined ? undefined : toJsonRecord(fields);
  frame.reporter.enqueue({
    t: "log",
    log: {
      runId: flowRun.id,
      seq: flowRun.seq,
      level,
      message: truncate(String(message), MAX_MESSAGE),
      timestamp: new Date().toISOString(),
      ...(safeFields === undefined ? {} : { fields: safeFields }),
      ...(frame.kind === "task" ? { taskRunId: frame.runId } : {}),
    },
  });
  if (print && frame.printLogs) {
    printLine(level, `${frame.kind === "flow" ? "Flow" : "Task"} run '${frame.runName}'`, message, fields);
  }
}

/** The server refuses longer log messages (and would refuse the whole batch). */
const MAX_MESSAGE = 100_000;
const METRIC_NAME = /^[\w.:/-]{1,200}$/;

/** Cuts a string to `max` characters, saying so. Internal. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 20)}… [truncated]`;
}

/** Makes the logger of a frame (bound lazily so the frame can hold it). */
export function frameLogger(getFrame: () => RunFrame): RunLogger {
  return createLogger((level, message, fields) => emitLog(getFrame(), level, message, fields));
}

/**
 * The logger of the current run, wherever you are inside it (nested functions, callbacks, tasks).
 * Outside of a run it returns a logger that only prints to the terminal (stderr) and records nothing,
 * so shared helpers can log unconditionally.
 * @example
 * getRunLogger().warn("Precision is below threshold: 0.5");
 */
export function getRunLogger(): RunLogger {
  return currentFrame()?.logger ?? detachedLogger;
}

/** Options of {@link logMetric}. */
export interface LogMetricOptions {
  /** Step (x axis) of the point, e.g. the event offset. Omitted: the server orders by time. */
  step?: number;
  /** When the value was measured. @default now */
  timestamp?: Date | string | number;
}

/**
 * Records one point of a numeric time series of the current run. Non-finite values (NaN, ±Infinity, e.g. a
 * precision before any positive prediction) are skipped, with one warning per metric name and run.
 * Outside of a run it throws {@link WeirNotInRunError}: a metric with nowhere to go is a bug.
 * @example
 * logMetric("precision", 0.83, { step: 42 });
 */
export function logMetric(name: string, value: number, options?: LogMetricOptions): void {
  const frame = currentFrame();
  if (frame === undefined) throw new WeirNotInRunError(`logMetric("${name}")`);
  if (!validMetricNames.has(name)) {
    if (!METRIC_NAME.test(name)) {
      throw new WeirArgumentError(
        `Metric name "${name}" is invalid: use 1–200 letters, digits and _ . : / - (e.g. "precision" or "loss/train").`,
      );
    }
    if (validMetricNames.size >= 10_000) validMetricNames.clear();
    validMetricNames.add(name);
  }
  const step = options?.step;
  const timestamp = options?.timestamp;
  if (step !== undefined && !(Number.isSafeInteger(step) && step >= 0)) {
    throw new WeirArgumentError(
      `Metric "${name}" got step ${step}: a step is a non-negative integer (e.g. an event offset).`,
    );
  }
  const flowRun = frame.flowRun;
  if (typeof value !== "number" || !Number.isFinite(value)) {
    if (!flowRun.warnedMetrics.has(name)) {
      flowRun.warnedMetrics.add(name);
      emitLog(
        frame,
        "warning",
        `Metric "${name}" got a non-finite value (${String(value)}); such points are skipped.`,
      );
    }
    return;
  }
  flowRun.seq += 1;
  const point: WireMetricPoint = {
    runId: flowRun.id,
    seq: flowRun.seq,
    name,
    value,
    timestamp: timestamp === undefined ? isoNow() : new Date(timestamp).toISOString(),
  };
  if (step !== undefined) point.step = step;
  frame.reporter.enqueue({ t: "metric", point });
}

/** Metric names that passed the check (logMetric is called in hot loops with a few names). */
const validMetricNames = new Set<string>();

let isoMs = Number.NaN;
let isoText = "";

/** `new Date().toISOString()`, formatted once per millisecond (many points share one). */
function isoNow(): string {
  const ms = Date.now();
  if (ms !== isoMs) {
    isoMs = ms;
    isoText = new Date(ms).toISOString();
  }
  return isoText;
}
