import type { RunListQuery } from "@weir/protocol";

import { ApiError } from "../errors.js";
import { itemsOf } from "./normalize.js";
import type {
  Activity,
  Artifact,
  Deployment,
  DeploymentVersion,
  FeedbackMetrics,
  FlowSummary,
  LogLine,
  MetricSeries,
  ModelDetail,
  ModelSummary,
  Page,
  Run,
  SchedulePreview,
  StateHistoryEntry,
  Stats,
  Topic,
  TopicEvent,
  Worker,
  WorkPool,
} from "./types.js";

export type Query = Record<string, string | number | readonly string[] | undefined | null>;

/** Builds `path?query`, dropping empty values and repeating array values. */
export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === "") continue;
    if (Array.isArray(value)) {
      if (value.length > 0) params.set(key, value.join(","));
    } else params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/**
 * GETs a JSON document from the Weir API.
 * @example const run = await getJson("/api/runs/123");
 */
export async function getJson(path: string, signal?: AbortSignal): Promise<unknown> {
  const res = await fetch(path, { signal, headers: { accept: "application/json" } });
  if (!res.ok) throw await apiError(res, path);
  return res.json();
}

/** The error of a failed answer: the server's `{ error: { code, message, details } }`, else its status line. */
export async function apiError(res: Response, path: string): Promise<ApiError> {
  let code = `HTTP_${res.status}`;
  let message = `${path} answered ${res.status} ${res.statusText}`;
  let details: unknown;
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string; details?: unknown } };
    if (body.error?.code) code = body.error.code;
    if (body.error?.message) message = body.error.message;
    details = body.error?.details;
  } catch {
    // not JSON: keep the status line
  }
  return new ApiError(res.status, code, message, { details });
}

function page<T>(raw: unknown): Page<T> {
  const o = raw as Partial<Page<T>>;
  const items = o.items ?? [];
  return {
    items,
    nextCursor: o.nextCursor ?? null,
    total: o.total ?? items.length,
    totalCapped: o.totalCapped ?? false,
  };
}

/** `GET /api/runs` filters; `cursor: null` asks for the first page. */
export type RunQuery = Omit<RunListQuery, "cursor" | "state" | "limit"> & {
  state?: readonly string[];
  limit?: number;
  cursor?: string | null;
};

/** `GET /api/dashboard/activity` query: a window and how many time buckets to cut it into. */
export interface ActivityQuery {
  from?: string;
  to?: string;
  buckets: number;
}

const enc = encodeURIComponent;

/** The typed Weir API calls the dashboard makes. */
export const api = {
  runs: async (query: RunQuery, signal?: AbortSignal): Promise<Page<Run>> =>
    page<Run>(await getJson(withQuery("/api/runs", { ...query }), signal)),
  run: async (id: string, signal?: AbortSignal): Promise<Run> =>
    (await getJson(`/api/runs/${enc(id)}`, signal)) as Run,
  states: async (id: string, signal?: AbortSignal): Promise<StateHistoryEntry[]> =>
    itemsOf(await getJson(`/api/runs/${enc(id)}/states`, signal)) as StateHistoryEntry[],
  logs: async (
    id: string,
    query: {
      level?: string;
      order?: "asc" | "desc";
      q?: string;
      taskRunId?: string;
      limit?: number;
      cursor?: string | null;
    },
    signal?: AbortSignal,
  ): Promise<Page<LogLine>> =>
    page<LogLine>(await getJson(withQuery(`/api/runs/${enc(id)}/logs`, query), signal)),
  metrics: async (id: string, query: { maxPoints?: number }, signal?: AbortSignal): Promise<MetricSeries[]> =>
    itemsOf(await getJson(withQuery(`/api/runs/${enc(id)}/metrics`, query), signal)) as MetricSeries[],
  artifacts: async (id: string, signal?: AbortSignal): Promise<Artifact[]> =>
    itemsOf(await getJson(`/api/runs/${enc(id)}/artifacts`, signal)) as Artifact[],
  flows: async (signal?: AbortSignal): Promise<FlowSummary[]> =>
    itemsOf(await getJson("/api/flows", signal)) as FlowSummary[],
  stats: async (query: { since?: string; until?: string }, signal?: AbortSignal): Promise<Stats> =>
    (await getJson(withQuery("/api/stats", query), signal)) as Stats,
  activity: async (query: ActivityQuery, signal?: AbortSignal): Promise<Activity> =>
    (await getJson(withQuery("/api/dashboard/activity", { ...query }), signal)) as Activity,
  topics: async (signal?: AbortSignal): Promise<Topic[]> =>
    itemsOf(await getJson("/api/topics", signal)) as Topic[],
  topicEvents: async (
    name: string,
    query: { from?: number; limit?: number },
    signal?: AbortSignal,
  ): Promise<TopicEvent[]> =>
    itemsOf(await getJson(withQuery(`/api/topics/${enc(name)}/events`, query), signal)) as TopicEvent[],
  deployments: async (query: { pool?: string }, signal?: AbortSignal): Promise<Deployment[]> =>
    itemsOf(await getJson(withQuery("/api/deployments", query), signal)) as Deployment[],
  deployment: async (idOrName: string, signal?: AbortSignal): Promise<Deployment> =>
    (await getJson(`/api/deployments/${enc(idOrName)}`, signal)) as Deployment,
  deploymentVersions: async (idOrName: string, signal?: AbortSignal): Promise<DeploymentVersion[]> =>
    itemsOf(await getJson(`/api/deployments/${enc(idOrName)}/versions`, signal)) as DeploymentVersion[],
  workers: async (signal?: AbortSignal): Promise<Worker[]> =>
    itemsOf(await getJson("/api/workers", signal)) as Worker[],
  workPools: async (signal?: AbortSignal): Promise<WorkPool[]> =>
    itemsOf(await getJson("/api/work-pools", signal)) as WorkPool[],
  schedulePreview: async (query: Query, signal?: AbortSignal): Promise<SchedulePreview> =>
    (await getJson(withQuery("/api/schedule/preview", query), signal)) as SchedulePreview,
  models: async (signal?: AbortSignal): Promise<ModelSummary[]> =>
    itemsOf(await getJson("/api/models", signal)) as ModelSummary[],
  model: async (name: string, signal?: AbortSignal): Promise<ModelDetail> =>
    (await getJson(`/api/models/${enc(name)}`, signal)) as ModelDetail,
  feedbackMetrics: async (name: string, query: { windowMs: number }, signal?: AbortSignal) =>
    (await getJson(withQuery(`/api/models/${enc(name)}/feedback-metrics`, query), signal)) as FeedbackMetrics,
};
