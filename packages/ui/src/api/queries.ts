import type { QueryFunctionContext, QueryKey } from "@tanstack/react-query";
import { infiniteQueryOptions, keepPreviousData, queryOptions } from "@tanstack/react-query";

import type { RunQuery } from "./client.js";
import { api } from "./client.js";
import { whenLive } from "./live-sync.js";
import type { LogsData, LogsPage } from "./log-pages.js";
import { LOG_PAGE_SIZE } from "./log-pages.js";
import { MAX_METRIC_POINTS } from "./metric-series.js";
import type { LogFilters } from "./query-keys.js";
import { queryKeys } from "./query-keys.js";
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

/** A run's logs with these filters, page by page ("Load more"), live lines added to the pages. */
export const logsQuery = (id: string, filters: LogFilters) =>
  infiniteQueryOptions<LogsPage, Error, LogsData, ReturnType<typeof queryKeys.logs>, string | null>({
    queryKey: queryKeys.logs(id, filters),
    queryFn: async ({ client, queryKey, signal, pageParam }): Promise<LogsPage> => {
      await whenLive(client, queryKey);
      const page = await api.logs(id, { ...filters, limit: LOG_PAGE_SIZE, cursor: pageParam }, signal);
      return { ...page, newBelow: 0, cut: false };
    },
    initialPageParam: null,
    getNextPageParam: (last) => last.nextCursor,
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
