import type { Deployment, Run } from "@weir/protocol";

import type { Component } from "./demo-deployments.js";
import { COMPONENTS } from "./demo-deployments.js";

/** Inputs of {@link readStatus}. */
export interface StatusQuery {
  readonly apiUrl: string;
  /** The deployment of each component: the status is that of its newest run. */
  readonly deployments: Readonly<Record<Component, { readonly name: string }>>;
  readonly pipelineTopic: string;
  readonly metricsTopic: string;
}

/** The newest run of a component's deployment. */
export interface ComponentRun {
  readonly id: string;
  readonly state: string;
  readonly stateMessage: string | null;
  /** Whether the worker started it again under the deployment's restart policy. */
  readonly restarted: boolean;
}

/** A run of a component's deployment that ended Failed, Crashed or TimedOut. */
export interface FailedRun {
  readonly component: Component;
  readonly id: string;
  readonly state: string;
  readonly stateMessage: string | null;
  readonly endTime: string | null;
}

/** One poll of the server. */
export interface StatusSnapshot {
  readonly runs: Readonly<Partial<Record<Component, ComponentRun>>>;
  /** Among the last five runs of each deployment, those that failed (a restart hides them from `runs`). */
  readonly failed: readonly FailedRun[];
  readonly pipelineEvents: number | undefined;
  readonly metricsEvents: number | undefined;
  readonly warnings: number | undefined;
}

async function getJson<T>(url: string): Promise<T | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    if (!response.ok) return undefined;
    return (await response.json()) as T;
  } catch {
    return undefined;
  }
}

const FAILED_STATES = new Set(["Failed", "Crashed", "TimedOut"]);

async function lastRuns(api: string, name: string): Promise<Run[]> {
  const deployment = await getJson<Deployment>(`${api}/deployments/${encodeURIComponent(name)}`);
  return deployment?.lastRuns ?? [];
}

/**
 * Asks the server for the newest run of each component's deployment, the topics' event counts
 * (embedded backend only) and the monitor's warning count. Missing parts are `undefined`; it never
 * throws.
 *
 * @example
 * const snapshot = await readStatus({ apiUrl, deployments, pipelineTopic: "river_pipeline", metricsTopic: "river_metrics" });
 */
export async function readStatus(query: StatusQuery): Promise<StatusSnapshot> {
  const api = `${query.apiUrl}/api`;
  const found = await Promise.all(COMPONENTS.map((c) => lastRuns(api, query.deployments[c].name)));
  const runs: Partial<Record<Component, ComponentRun>> = {};
  const failed: FailedRun[] = [];
  COMPONENTS.forEach((component, i) => {
    const [newest, ...older] = found[i] ?? [];
    if (newest !== undefined) {
      const { id, state, stateMessage } = newest;
      runs[component] = { id, state, stateMessage, restarted: newest.restartOf !== null };
    }
    for (const { id, state, stateMessage, endTime } of newest === undefined ? [] : [newest, ...older]) {
      if (FAILED_STATES.has(state)) failed.push({ component, id, state, stateMessage, endTime });
    }
  });
  const topic = (name: string): Promise<{ eventCount: number } | undefined> =>
    getJson<{ eventCount: number }>(`${api}/topics/${encodeURIComponent(name)}`);
  const monitorId = runs.monitor?.id;
  const [pipeline, metrics, warnings] = await Promise.all([
    topic(query.pipelineTopic),
    topic(query.metricsTopic),
    monitorId === undefined
      ? Promise.resolve(undefined)
      : getJson<{ total: number }>(`${api}/runs/${monitorId}/logs?level=warning&q=below%20threshold&limit=1`),
  ]);
  return {
    runs,
    failed,
    pipelineEvents: pipeline?.eventCount,
    metricsEvents: metrics?.eventCount,
    warnings: warnings?.total,
  };
}

/**
 * The one-line status, e.g.
 * `publisher Completed · subscriber Running (restarted) · monitor Running · 337 reviews, 337 metrics · 41 warnings`.
 *
 * @example
 * formatStatus(snapshot);
 */
export function formatStatus(snapshot: StatusSnapshot): string {
  const parts = (["publisher", "subscriber", "monitor"] as const).map((component) => {
    const run = snapshot.runs[component];
    if (run === undefined) return `${component} starting`;
    return `${component} ${run.state}${run.restarted ? " (restarted)" : ""}`;
  });
  if (snapshot.pipelineEvents !== undefined) {
    parts.push(`${snapshot.pipelineEvents} reviews, ${snapshot.metricsEvents ?? 0} metrics`);
  }
  if (snapshot.warnings !== undefined) parts.push(`${snapshot.warnings} warnings`);
  return parts.join(" · ");
}

/** What the demo prints when it stops: the model's last numbers and the monitor's warnings. */
export interface FinalNumbers {
  /** Precision and recall of class 0 in the last metrics event, and the reviews learned by then. */
  readonly scores:
    { readonly precision: number; readonly recall: number; readonly reviews: number } | undefined;
  readonly precisionWarnings: number | undefined;
  readonly recallWarnings: number | undefined;
}

/** Where {@link readFinalNumbers} looks. */
export interface FinalNumbersQuery {
  readonly apiUrl: string;
  /** The event backend (`WEIR_STREAM_URL`, else the Weir server). */
  readonly streamUrl: string;
  readonly metricsTopic: string;
  /** The monitor's newest run, from {@link readStatus}. */
  readonly monitorRunId: string | undefined;
}

/**
 * Reads the last event of the metrics topic (the model's numbers after the last review it
 * learned) and the monitor run's warning counts. Missing parts are `undefined`; it never throws.
 *
 * @example
 * const numbers = await readFinalNumbers({ apiUrl, streamUrl: apiUrl, metricsTopic: "river_metrics", monitorRunId });
 */
export async function readFinalNumbers(query: FinalNumbersQuery): Promise<FinalNumbers> {
  const monitorId = query.monitorRunId;
  const warnings = (text: string): Promise<number | undefined> =>
    monitorId === undefined
      ? Promise.resolve(undefined)
      : getJson<{ total: number }>(
          `${query.apiUrl}/api/runs/${monitorId}/logs?level=warning&q=${encodeURIComponent(text)}&limit=1`,
        ).then((page) => page?.total);
  const [last, precisionWarnings, recallWarnings] = await Promise.all([
    lastMetrics(query.streamUrl, query.metricsTopic),
    warnings("Precision is below threshold"),
    warnings("Recall is below threshold"),
  ]);
  return {
    scores:
      last === undefined ? undefined : { precision: last.precision, recall: last.recall, reviews: last.n },
    precisionWarnings,
    recallWarnings,
  };
}

/** The last event of the metrics topic, or `undefined` (none yet, or the backend does not answer). */
async function lastMetrics(
  streamUrl: string,
  topic: string,
): Promise<{ precision: number; recall: number; n: number } | undefined> {
  const { connect } = await import("@weir/stream");
  const signal = AbortSignal.timeout(5000);
  let stream: Awaited<ReturnType<typeof connect>> | undefined;
  try {
    stream = await connect({ url: streamUrl, signal, timeoutMs: 3000 });
    const info = await stream.topicInfo(topic);
    if (info.eventCount === 0) return undefined;
    for await (const event of stream.subscribe(topic, { from: { offset: info.lastOffset }, signal })) {
      return event.json<{ precision: number; recall: number; n: number }>();
    }
    return undefined;
  } catch {
    return undefined;
  } finally {
    await stream?.close().catch(() => undefined);
  }
}

/**
 * The closing line about the model, e.g.
 * `Final precision 0.7507002801120448 · recall 0.7184986595174263 (class 0, after 750 reviews) · warnings: 44 precision, 190 recall`.
 *
 * @example
 * console.log(formatFinalNumbers(await readFinalNumbers({ apiUrl, streamUrl, metricsTopic, monitorRunId })));
 */
export function formatFinalNumbers(numbers: FinalNumbers): string {
  const scores =
    numbers.scores === undefined
      ? "No precision/recall yet (the subscriber learned no review)"
      : `Final precision ${numbers.scores.precision} · recall ${numbers.scores.recall} ` +
        `(class 0, after ${numbers.scores.reviews} reviews)`;
  const warnings =
    numbers.precisionWarnings === undefined || numbers.recallWarnings === undefined
      ? "warnings: unknown (no monitor run)"
      : `warnings: ${numbers.precisionWarnings} precision, ${numbers.recallWarnings} recall`;
  return `${scores} · ${warnings}`;
}

/**
 * Why a component failed, from the end of its output: the command's own last line (`weir: …`),
 * else the last ERROR line of its run log, else its last line.
 *
 * @example
 * lastErrorLine("…\nweir: The reviews file /x.csv does not exist. …\n"); // "The reviews file /x.csv does not exist. …"
 */
export function lastErrorLine(output: string): string | undefined {
  const lines = output
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "");
  const command = lines.findLast((line) => /^(weir|publish|subscribe|monitor): /.test(line));
  if (command !== undefined) return command.replace(/^\w+: /, "");
  const logged = lines.findLast((line) => /\|\s*(ERROR|CRITICAL)\s*\|/.test(line));
  if (logged !== undefined) return logged.replace(/^.*?\|\s*(ERROR|CRITICAL)\s*\|\s*/, "");
  return lines.at(-1);
}
