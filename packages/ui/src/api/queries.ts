import type { QueryFunctionContext, QueryKey } from "@tanstack/react-query";
import { keepPreviousData, queryOptions } from "@tanstack/react-query";

import type { ActivityQuery, RunQuery } from "./client.js";
import { api } from "./client.js";
import { whenLive } from "./live-sync.js";
import type { LogEdge, LogsData } from "./log-pages.js";
import { readWindow } from "./log-pages.js";
import { MAX_METRIC_POINTS } from "./metric-series.js";
import { shouldRetry } from "./query-client.js";
import type { LogFilters } from "./query-keys.js";
import { queryKeys } from "./query-keys.js";
import { TERMINAL_STATES } from "./types.js";
import type { TopicEvent } from "./types.js";

/** A query function that reads once the live stream covering its key is connected (see `whenLive`). */
function live<T>(read: (signal: AbortSignal) => Promise<T>) {
  return async ({ client, queryKey, signal }: QueryFunctionContext<QueryKey>): Promise<T> => {
    await whenLive(client, queryKey);
    return read(signal);
  };
}

/**
 * One page of a run list. While other filters load, the previous answer stays on screen.
 * @example const runs = useQuery(runsQuery({ kind: "flow", limit: 50 }));
 */
export const runsQuery = (filters: RunQuery) =>
  queryOptions({
    queryKey: queryKeys.runs(filters),
    queryFn: live((signal) => api.runs(filters, signal)),
    placeholderData: keepPreviousData,
  });

/** One run, shared by every component that shows it (one request however many ask). */
export const runQuery = (id: string) =>
  queryOptions({ queryKey: queryKeys.run(id), queryFn: live((signal) => api.run(id, signal)) });

export const statesQuery = (id: string) =>
  queryOptions({ queryKey: queryKeys.states(id), queryFn: live((signal) => api.states(id, signal)) });

/**
 * A window of a run's logs with these filters (see `log-pages.ts`), live lines added to it. It is
 * read at `edge`; by default at the newest lines when they are shown first or the run is live (the
 * view follows them), else at the oldest.
 */
export const logsQuery = (id: string, filters: LogFilters, edge?: LogEdge) =>
  queryOptions({
    queryKey: queryKeys.logs(id, filters),
    queryFn: async ({ client, queryKey, signal }): Promise<LogsData> => {
      await whenLive(client, queryKey);
      const from = edge ?? (filters.order === "desc" ? "newest" : undefined);
      if (from !== undefined) return readWindow(id, filters, from, signal);
      // The newest lines are read while the run is (a live run's view opens on them at once); a
      // finished run's view opens on its oldest lines instead.
      const [run, newest] = await Promise.all([
        client.ensureQueryData(runQuery(id)).catch(() => undefined),
        readWindow(id, filters, "newest", signal),
      ]);
      const live = run !== undefined && !TERMINAL_STATES.includes(run.state);
      if (live) return newest;
      // All of it fits: the same lines, shown from the first.
      return newest.hasOlder ? readWindow(id, filters, "oldest", signal) : { ...newest, frozen: true };
    },
    placeholderData: keepPreviousData,
  });

/** A run's metric series, each its latest {@link MAX_METRIC_POINTS} points. */
export const metricsQuery = (id: string) =>
  queryOptions({
    queryKey: queryKeys.metrics(id),
    queryFn: live((signal) => api.metrics(id, { maxPoints: MAX_METRIC_POINTS }, signal)),
  });

export const artifactsQuery = (id: string) =>
  queryOptions({ queryKey: queryKeys.artifacts(id), queryFn: live((signal) => api.artifacts(id, signal)) });

export const flowsQuery = () =>
  queryOptions({ queryKey: queryKeys.flows(), queryFn: live((signal) => api.flows(signal)) });

export const statsQuery = (filters: { since?: string }) =>
  queryOptions({
    queryKey: queryKeys.stats(filters),
    queryFn: live((signal) => api.stats(filters, signal)),
    placeholderData: keepPreviousData,
  });

/** Flow runs per state in time buckets, counted by the server; refreshed as the counts are. */
export const activityQuery = (filters: ActivityQuery) =>
  queryOptions({
    queryKey: queryKeys.activity(filters),
    queryFn: live((signal) => api.activity(filters, signal)),
    placeholderData: keepPreviousData,
  });

/**
 * The topics, polled every `everyMs` while the page is visible: the event log pushes no rate
 * changes on `/api/events`, so this is the one poll of the dashboard besides a topic's tail.
 */
export const topicsQuery = (everyMs: number) =>
  queryOptions({
    queryKey: queryKeys.topics(),
    queryFn: ({ signal }) => api.topics(signal),
    staleTime: everyMs,
    refetchInterval: everyMs,
  });

/** How many of a topic's newest events its tail shows. */
export const TOPIC_TAIL = 50;

/**
 * A topic's newest {@link TOPIC_TAIL} events, newest first. Each poll asks only for the events after
 * the newest one held; when more than a tail's worth came meanwhile, it asks for the newest instead.
 */
export const topicTailQuery = (name: string, following: boolean) =>
  queryOptions({
    queryKey: queryKeys.topicTail(name),
    queryFn: async ({ client, queryKey, signal }): Promise<TopicEvent[]> => {
      const held = client.getQueryData<TopicEvent[]>(queryKey) ?? [];
      const newest = held[0];
      let batch: TopicEvent[] = [];
      if (newest !== undefined)
        batch = await api.topicEvents(name, { from: newest.offset + 1, limit: TOPIC_TAIL }, signal);
      if (newest === undefined || batch.length === TOPIC_TAIL)
        batch = await api.topicEvents(name, { limit: TOPIC_TAIL }, signal);
      const seen = new Set(held.map((e) => e.offset));
      return [...batch.filter((e) => !seen.has(e.offset)).reverse(), ...held].slice(0, TOPIC_TAIL);
    },
    staleTime: 1000,
    refetchInterval: following ? 1000 : false,
  });

/**
 * How often deployments, workers and pools are read again: the server pushes their runs' changes
 * (which invalidate them at once), but not a deployment created, paused or resumed elsewhere, nor a
 * worker's heartbeat, so these few small lists are also polled while on screen.
 */
const DEPLOYMENTS_POLL_MS = 10_000;
const WORKERS_POLL_MS = 3000;

/** The deployments, optionally of one work pool, with their next and last runs. */
export const deploymentsQuery = (filters: { pool?: string } = {}) =>
  queryOptions({
    queryKey: queryKeys.deployments(filters),
    queryFn: live((signal) => api.deployments(filters, signal)),
    refetchInterval: DEPLOYMENTS_POLL_MS,
  });

/** One deployment by id or name. */
export const deploymentQuery = (idOrName: string) =>
  queryOptions({
    queryKey: queryKeys.deployment(idOrName),
    queryFn: live((signal) => api.deployment(idOrName, signal)),
    refetchInterval: DEPLOYMENTS_POLL_MS,
  });

/**
 * A deployment's versions, newest first, read again when its current version changes (never
 * pushed, never stale otherwise: a stored version does not change).
 */
export const deploymentVersionsQuery = (deployment: { id: string; version: number }) =>
  queryOptions({
    queryKey: queryKeys.deploymentVersions(deployment.id, deployment.version),
    queryFn: ({ signal }) => api.deploymentVersions(deployment.id, signal),
    staleTime: Infinity,
  });

/** The workers with their health (online until 3 heartbeats are missed). */
export const workersQuery = () =>
  queryOptions({
    queryKey: queryKeys.workers(),
    queryFn: live((signal) => api.workers(signal)),
    staleTime: WORKERS_POLL_MS,
    refetchInterval: WORKERS_POLL_MS,
  });

/** The work pools with their worker counts and queued runs. */
export const workPoolsQuery = () =>
  queryOptions({
    queryKey: queryKeys.workPools(),
    queryFn: live((signal) => api.workPools(signal)),
    staleTime: WORKERS_POLL_MS,
    refetchInterval: WORKERS_POLL_MS,
  });

/** A schedule in words and its next `count` slots, as the server computes them. */
export const schedulePreviewQuery = (schedule: Record<string, string | number | undefined>) =>
  queryOptions({
    queryKey: queryKeys.schedulePreview(schedule),
    queryFn: ({ signal }) => api.schedulePreview(schedule, signal),
    staleTime: 60_000,
  });

/**
 * The models with their aliases and live serving figures, polled every `everyMs` while on screen:
 * predictions per second and latency change with every request, and are not pushed.
 */
export const modelsQuery = (everyMs: number) =>
  queryOptions({
    queryKey: queryKeys.models(),
    queryFn: ({ signal }) => api.models(signal),
    staleTime: everyMs,
    refetchInterval: everyMs,
  });

/**
 * One model with every version (newest first), polled like {@link modelsQuery} until the server
 * says it does not exist (4xx: asking again gives the same answer).
 */
export const modelQuery = (name: string, everyMs: number) =>
  queryOptions({
    queryKey: queryKeys.model(name),
    queryFn: ({ signal }) => api.model(name, signal),
    staleTime: everyMs,
    refetchInterval: (query) => (shouldRetry(0, query.state.error) ? everyMs : false),
  });

/** A model's accuracy, precision and recall against its late labels over the last `windowMs`. */
export const feedbackMetricsQuery = (name: string, windowMs: number, everyMs: number) =>
  queryOptions({
    queryKey: queryKeys.feedbackMetrics(name, windowMs),
    queryFn: ({ signal }) => api.feedbackMetrics(name, { windowMs }, signal),
    staleTime: everyMs,
    refetchInterval: everyMs,
    placeholderData: keepPreviousData,
  });
