import type { QueryKey } from "@tanstack/react-query";

import type { ActivityQuery, RunQuery } from "./client.js";

/** The filters of a run's logs view; each combination is cached on its own. */
export interface LogFilters {
  level?: string;
  order: "asc" | "desc";
  q?: string;
  /** Only the lines written inside this task run (a flow run's view). */
  taskRunId?: string;
}

/** A run list's filters without empty values, so that equal filters make equal keys. */
function compact<T extends object>(filters: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(filters)) {
    if (value === undefined || value === null || value === "") continue;
    if (Array.isArray(value) && value.length === 0) continue;
    out[key] = value;
  }
  return out as T;
}

/**
 * Every query key of the dashboard. Keys of one run start with `["run", id]`, so that all of a
 * run's data can be found (and invalidated) together.
 * @example useQuery({ queryKey: queryKeys.run(id), ... })
 */
export const queryKeys = {
  runs: (filters: RunQuery) => ["runs", compact(filters)] as const,
  run: (id: string) => ["run", id] as const,
  states: (id: string) => ["run", id, "states"] as const,
  logs: (id: string, filters: LogFilters) => ["run", id, "logs", compact(filters)] as const,
  metrics: (id: string) => ["run", id, "metrics"] as const,
  artifacts: (id: string) => ["run", id, "artifacts"] as const,
  flows: () => ["flows"] as const,
  stats: (filters: { since?: string }) => ["stats", compact(filters)] as const,
  /** Under "stats": run changes invalidate it (at most every 2 s) as they do the counts. */
  activity: (filters: ActivityQuery) => ["stats", "activity", compact(filters)] as const,
  topics: () => ["topics"] as const,
  topicTail: (name: string) => ["topics", name, "tail"] as const,
  models: () => ["models"] as const,
  model: (name: string) => ["models", name] as const,
  feedbackMetrics: (name: string, windowMs: number) => ["models", name, "feedback", windowMs] as const,
  deployments: (filters: { pool?: string }) => ["deployments", compact(filters)] as const,
  deployment: (idOrName: string) => ["deployments", "one", idOrName] as const,
  /** Not under "deployments": a deployment's runs do not change its versions; a new one changes `version`. */
  deploymentVersions: (id: string, version: number) => ["deployment-versions", id, version] as const,
  workers: () => ["workers"] as const,
  workPools: () => ["work-pools"] as const,
  schedulePreview: (schedule: Record<string, string | number | undefined>) =>
    ["schedule-preview", compact(schedule)] as const,
};

/** What a cached key holds, for the code that writes live changes into the cache. */
export type KeyInfo =
  | { kind: "runs"; filters: RunQuery }
  | { kind: "run" | "states" | "metrics" | "artifacts"; runId: string }
  | { kind: "logs"; runId: string; filters: LogFilters }
  | { kind: "flows" }
  | { kind: "deployments" }
  | { kind: "workers" }
  | { kind: "stats" }
  | { kind: "topics" };

/** Reads a key made by {@link queryKeys}; `undefined` for any other key. */
export function describeKey(key: QueryKey): KeyInfo | undefined {
  const [head, second, third, fourth] = key;
  if (head === "runs") return { kind: "runs", filters: second as RunQuery };
  if (head === "flows") return { kind: "flows" };
  if (head === "deployments") return { kind: "deployments" };
  if (head === "workers" || head === "work-pools") return { kind: "workers" };
  if (head === "stats") return { kind: "stats" };
  if (head === "topics") return { kind: "topics" };
  if (head !== "run" || typeof second !== "string") return undefined;
  if (third === undefined) return { kind: "run", runId: second };
  if (third === "logs") return { kind: "logs", runId: second, filters: fourth as LogFilters };
  if (third === "states" || third === "metrics" || third === "artifacts")
    return { kind: third, runId: second };
  return undefined;
}

/** The whole live stream (`/api/events`), or one run's (`/api/events?runId=`). */
export type LiveScope = "all" | { runId: string };

/**
 * Which live stream keeps a key up to date: a run's own data and its task and child runs need only
 * that run's stream; other lists, counts and flows need the whole one; topics and models are not
 * pushed (`null`: they are polled).
 */
export function liveScopeOf(key: QueryKey): LiveScope | null {
  const info = describeKey(key);
  if (info === undefined || info.kind === "topics") return null;
  if (
    info.kind === "flows" ||
    info.kind === "stats" ||
    info.kind === "deployments" ||
    info.kind === "workers"
  )
    return "all";
  if (info.kind === "runs") {
    const runId = info.filters.flowRunId ?? info.filters.parentRunId;
    return runId ? { runId } : "all";
  }
  return { runId: info.runId };
}

/** Whether a stream of scope `stream` carries every change of data of scope `data`. */
export function covers(stream: LiveScope, data: LiveScope): boolean {
  return stream === "all" || (data !== "all" && data.runId === stream.runId);
}

/** The `/api/events` address of a scope. */
export function liveUrl(scope: LiveScope): string {
  return scope === "all" ? "/api/events" : `/api/events?runId=${encodeURIComponent(scope.runId)}`;
}
