import type { Query, QueryCacheNotifyEvent, QueryClient } from "@tanstack/react-query";
import { notifyManager } from "@tanstack/react-query";

import type { LogsData } from "./log-pages.js";
import { addLiveLines, lineMatches } from "./log-pages.js";
import { addPoints } from "./metric-series.js";
import type { KeyInfo } from "./query-keys.js";
import { describeKey } from "./query-keys.js";
import { applyRunToPage } from "./run-list-update.js";
import { ThrottledInvalidator } from "./throttled-invalidator.js";
import type { LiveEvent, MetricSeries, Page, Run } from "./types.js";

/** Events are applied in batches: one render per batch however many lines a burst brings. */
const FLUSH_MS = 30;

/** How often, at most, a query that the live channel can only invalidate is fetched again. */
const REFETCH_WINDOW_MS = {
  runs: 1000,
  states: 1000,
  artifacts: 500,
  flows: 2000,
  stats: 2000,
  deployments: 1000,
  workers: 1000,
} as const;

/** Past this many events held for one loading query, it is simply fetched again once loaded. */
const MAX_HELD = 10_000;

/** Whether an event changes the data under a key. */
function concerns(info: KeyInfo, event: LiveEvent): boolean {
  switch (event.type) {
    case "run":
      if (info.kind === "run" || info.kind === "states") return info.runId === event.data.id;
      if (info.kind === "flows") return event.data.kind === "flow";
      // A deployment shows its next and last runs: any change of one of its runs may change them.
      // So do a pool's queued runs and a worker's running ones.
      if (info.kind === "deployments" || info.kind === "workers") return event.data.deploymentId !== null;
      return info.kind === "runs" || info.kind === "stats";
    case "log":
      return (
        info.kind === "logs" &&
        (event.data.runId === info.runId || event.data.taskRunId === info.runId) &&
        lineMatches(info.filters, event.data)
      );
    case "metric":
      return info.kind === "metrics" && event.data.runId === info.runId;
    case "artifact":
      return info.kind === "artifacts" && event.data.runId === info.runId;
  }
}

/** Kinds whose cached data the events are merged into (the others are fetched again). */
const MERGED = new Set<KeyInfo["kind"]>(["run", "runs", "logs", "metrics"]);

const dataOf = <T>(events: LiveEvent[], type: LiveEvent["type"]): T[] =>
  events.filter((e) => e.type === type).map((e) => e.data as T);

/**
 * Writes live events into the query cache, so that every view of the same data shows the same
 * thing and none keeps state of its own: a pushed run replaces the cached run and its rows in cached
 * lists, a log line or metric point is appended to the cached pages or series (bounded), and what
 * cannot be merged (counts, state histories, artifacts, list membership) is invalidated, at most
 * once per window. Events for a query that is loading are held and merged once it has loaded, so
 * that a change stored between the server's read and the answer is never lost.
 * @example const cache = new LiveCache(client); channel.onEvent = (e) => cache.push(e);
 */
export class LiveCache {
  readonly #client: QueryClient;
  readonly #invalidator: ThrottledInvalidator;
  readonly #held = new Map<string, LiveEvent[]>();
  readonly #unsubscribe: () => void;
  #queue: LiveEvent[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(client: QueryClient) {
    this.#client = client;
    this.#invalidator = new ThrottledInvalidator(client);
    this.#unsubscribe = client.getQueryCache().subscribe((e) => this.#onCacheEvent(e));
  }

  /** Queues an event; the queue is applied within {@link FLUSH_MS}. */
  push(event: LiveEvent): void {
    this.#queue.push(event);
    this.#timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  /** Applies every queued event now. */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const events = this.#queue;
    this.#queue = [];
    if (events.length === 0) return;
    notifyManager.batch(() => {
      for (const query of this.#client.getQueryCache().getAll()) {
        const info = describeKey(query.queryKey);
        if (info === undefined) continue;
        const relevant = events.filter((e) => concerns(info, e));
        if (relevant.length === 0) continue;
        if (MERGED.has(info.kind) && query.state.fetchStatus === "fetching") this.#hold(query, relevant);
        else this.#apply(query, info, relevant);
      }
    });
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#unsubscribe();
    this.#invalidator.stop();
  }

  #hold(query: Query, events: LiveEvent[]): void {
    const held = this.#held.get(query.queryHash) ?? [];
    held.push(...events);
    this.#held.set(query.queryHash, held);
  }

  #onCacheEvent(event: QueryCacheNotifyEvent): void {
    const query = event.query as Query;
    const held = this.#held.get(query.queryHash);
    if (held === undefined) return;
    if (event.type === "removed") this.#held.delete(query.queryHash);
    if (event.type !== "updated" || query.state.fetchStatus === "fetching") return;
    // Loaded (or failed, or cancelled): merge what arrived meanwhile, after this notification.
    this.#held.delete(query.queryHash);
    queueMicrotask(() => {
      const info = describeKey(query.queryKey);
      if (info === undefined) return;
      if (held.length > MAX_HELD)
        void this.#client.invalidateQueries({ queryKey: query.queryKey, exact: true });
      else notifyManager.batch(() => this.#apply(query, info, held));
    });
  }

  #apply(query: Query, info: KeyInfo, events: LiveEvent[]): void {
    const key = query.queryKey;
    switch (info.kind) {
      case "run": {
        // Pushed in the order they were stored: the last one is the run as it is now.
        const run = dataOf<Run>(events, "run").at(-1);
        if (run) this.#client.setQueryData<Run>(key, run);
        return;
      }
      case "runs": {
        const old = query.state.data as Page<Run> | undefined;
        if (old === undefined) return;
        let page = old;
        let refetch = false;
        for (const run of dataOf<Run>(events, "run")) {
          const update = applyRunToPage(page, run, info.filters);
          page = update.page;
          refetch ||= update.refetch;
        }
        if (page !== old) this.#client.setQueryData<Page<Run>>(key, page);
        if (refetch) this.#invalidator.schedule(key, REFETCH_WINDOW_MS.runs);
        return;
      }
      case "logs": {
        const old = query.state.data as LogsData | undefined;
        if (old === undefined) return;
        const next = addLiveLines(old, dataOf(events, "log"));
        if (next !== old) this.#client.setQueryData<LogsData>(key, next);
        return;
      }
      case "metrics": {
        const old = query.state.data as MetricSeries[] | undefined;
        if (old === undefined) return;
        const next = addPoints(old, dataOf(events, "metric"));
        if (next !== old) this.#client.setQueryData<MetricSeries[]>(key, next);
        return;
      }
      case "states":
      case "artifacts":
      case "flows":
      case "stats":
      case "deployments":
      case "workers":
        this.#invalidator.schedule(key, REFETCH_WINDOW_MS[info.kind]);
        return;
      case "topics":
        return;
    }
  }
}
