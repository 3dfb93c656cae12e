import type { QueryKey } from "@tanstack/react-query";
import { QueryObserver } from "@tanstack/react-query";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { ApiError } from "../errors.js";
import { LiveCache } from "./live-cache.js";
import type { LogsData } from "./log-pages.js";
import { windowAt } from "./log-pages.js";
import { createQueryClient } from "./query-client.js";
import { queryKeys } from "./query-keys.js";
import type { LiveEvent, LogLine, Page, Run, Stats } from "./types.js";
import { makeRun } from "../../test/runs.js";

const T0 = Date.UTC(2026, 0, 1, 12);
const at = (s: number): string => new Date(T0 + s * 1000).toISOString();

const run = (id: string, patch: Partial<Run> = {}): Run =>
  makeRun(id, at(0), { flowName: "river-metrics-monitor", ...patch });

const line = (seq: number): LogLine => ({
  runId: "r",
  seq,
  level: "warning",
  levelNo: 30,
  message: `Precision is below threshold: 0.${seq}`,
  fields: null,
  timestamp: at(seq),
  taskRunId: null,
});

const page = (items: Run[]): Page<Run> => ({
  items,
  nextCursor: null,
  total: items.length,
  totalCapped: false,
});

/** A promise resolved by hand: a read the test lets the "server" answer when it chooses. */
function gate<T>(): { promise: Promise<T>; open: (value: T) => void } {
  let open: (value: T) => void = () => {};
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}

describe("LiveCache", () => {
  const client = createQueryClient();
  let cache: LiveCache;
  const unsubscribes: (() => void)[] = [];

  beforeEach(() => {
    cache = new LiveCache(client);
  });
  afterEach(() => {
    for (const u of unsubscribes.splice(0)) u();
    cache.stop();
    client.clear();
    vi.useRealTimers();
  });

  /** Keeps a query on screen, as a mounted component does; returns how many reads it made. */
  function watch<T>(queryKey: QueryKey, read: () => Promise<T>): { reads: () => number } {
    let reads = 0;
    const observer = new QueryObserver(client, {
      queryKey,
      queryFn: () => {
        reads++;
        return read();
      },
    });
    unsubscribes.push(observer.subscribe(() => {}));
    return { reads: () => reads };
  }

  const push = (...events: LiveEvent[]): void => {
    for (const e of events) cache.push(e);
    cache.flush();
  };

  it("keeps a log line pushed while the first page was loading, although the page did not have it", async () => {
    const key = queryKeys.logs("r", { order: "asc" });
    const firstPage = gate<Page<LogLine>>();
    const observer = new QueryObserver(client, {
      queryKey: key,
      queryFn: async () => windowAt("newest", await firstPage.promise),
    });
    unsubscribes.push(observer.subscribe(() => {}));

    push({ type: "log", data: line(2) });
    // The server read the page before line 2 was stored, and answers after it was pushed.
    firstPage.open({ items: [line(1), line(0)], nextCursor: null, total: 2, totalCapped: false });
    await vi.waitFor(() => {
      const data = client.getQueryData<LogsData>(key);
      expect(data?.lines.map((l) => l.seq)).toEqual([0, 1, 2]);
    });
  });

  it("replaces a pushed run's row in a list on screen without reading the list again", async () => {
    const key = queryKeys.runs({ kind: "flow", limit: 50 });
    const list = watch(key, () => Promise.resolve(page([run("a"), run("b")])));
    await vi.waitFor(() => expect(client.getQueryData(key)).toBeDefined());

    push({ type: "run", data: run("b", { state: "Completed", stateTimestamp: at(5), endTime: at(5) }) });
    expect(client.getQueryData<Page<Run>>(key)?.items.map((r) => r.state)).toEqual(["Running", "Completed"]);
    await new Promise((r) => setTimeout(r, 20));
    expect(list.reads()).toBe(1);
  });

  it("reads a list again when a pushed run joins it", async () => {
    const key = queryKeys.runs({ kind: "flow", state: ["Running"], limit: 50 });
    let answer = page([run("a")]);
    const list = watch(key, () => Promise.resolve(answer));
    await vi.waitFor(() => expect(client.getQueryData(key)).toBeDefined());

    answer = page([run("new", { startTime: at(9) }), run("a")]);
    push({ type: "run", data: run("new", { startTime: at(9) }) });
    expect(client.getQueryData<Page<Run>>(key)?.items.map((r) => r.id)).toEqual(["new", "a"]);
    await vi.waitFor(() => expect(list.reads()).toBe(2));
  });

  it("reads the counts at most twice for a burst of run events, however many", async () => {
    vi.useFakeTimers();
    const key = queryKeys.stats({});
    const stats = watch(key, () => Promise.resolve({} as Stats));
    await vi.advanceTimersByTimeAsync(10);
    expect(stats.reads()).toBe(1);

    for (let i = 0; i < 200; i++) push({ type: "run", data: run(`burst-${i}`) });
    await vi.advanceTimersByTimeAsync(5000);
    expect(stats.reads()).toBe(3);
  });

  it("reads deployments, workers and pools again when a run of a deployment changes, not for a hand-started run", async () => {
    const lists = [
      queryKeys.deployments({}),
      queryKeys.deployment("monitor"),
      queryKeys.workers(),
      queryKeys.workPools(),
    ];
    const watched = lists.map((key) => watch(key, () => Promise.resolve([])));
    await vi.waitFor(() => expect(watched.map((w) => w.reads())).toEqual([1, 1, 1, 1]));

    push({ type: "run", data: run("by-hand") });
    await new Promise((r) => setTimeout(r, 20));
    expect(watched.map((w) => w.reads())).toEqual([1, 1, 1, 1]);

    push({ type: "run", data: run("deployed", { deploymentId: "d", state: "Pending", startTime: null }) });
    await vi.waitFor(() => expect(watched.map((w) => w.reads())).toEqual([2, 2, 2, 2]));
  });

  it("fills in a run page whose first read found no run, when the run's event arrives", async () => {
    const key = queryKeys.run("late");
    watch(key, () => Promise.reject(new ApiError(404, "WEIR_RUN_NOT_FOUND", "Run late does not exist.")));
    await vi.waitFor(() => expect(client.getQueryState(key)?.status).toBe("error"));

    push({ type: "run", data: run("late") });
    expect(client.getQueryState(key)?.status).toBe("success");
    expect(client.getQueryData<Run>(key)?.id).toBe("late");
  });
});
