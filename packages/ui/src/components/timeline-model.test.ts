import { describe, expect, it } from "vitest";

import type { Run, StateHistoryEntry, StateType } from "../api/types.js";
import { makeRun } from "../../test/runs.js";
import { attemptsOf, buildRows, spanOf } from "./timeline-model.js";

const T = Date.parse("2026-12-04T12:00:00.000Z");
const iso = (ms: number): string => new Date(T + ms).toISOString();

/** A completed task run of flow run "root", 0–1 s, unless `over` says otherwise. */
function run(id: string, over: Partial<Run> = {}): Run {
  return makeRun(id, iso(0), {
    kind: "task",
    flowName: "f",
    name: id,
    flowRunId: "root",
    state: "Completed",
    endTime: iso(1000),
    durationMs: 1000,
    ...over,
  });
}

const states = (...entries: [StateType, number][]): StateHistoryEntry[] =>
  entries.map(([type, at], i) => ({ id: String(i), type, message: null, timestamp: iso(at) }));

describe("attemptsOf", () => {
  it("gives a run that ran once one bar from its recorded start to its recorded end", () => {
    expect(attemptsOf(run("a", { startTime: iso(100), endTime: iso(400) }), undefined, 0)).toEqual([
      { start: T + 100, end: T + 400, state: "Completed", attempt: 1, open: false },
    ]);
  });

  it("splits a retried run into its attempts at the states that opened and closed them", () => {
    const r = run("a", { runCount: 2, startTime: iso(0), endTime: iso(900) });
    const bars = attemptsOf(
      r,
      states(["Running", 0], ["AwaitingRetry", 300], ["Retrying", 500], ["Completed", 900]),
      0,
    );
    expect(bars.map((b) => [b.start - T, b.end - T, b.state, b.attempt])).toEqual([
      [0, 300, "AwaitingRetry", 1],
      [500, 900, "Completed", 2],
    ]);
  });

  it("runs an attempt that is still going up to now, and draws nothing for a run that never started", () => {
    const r = run("a", { state: "Running", runCount: 2, endTime: null });
    const bars = attemptsOf(r, states(["Running", 0], ["AwaitingRetry", 100], ["Retrying", 200]), T + 700);
    expect(bars.at(-1)).toEqual({ start: T + 200, end: T + 700, state: "Running", attempt: 2, open: true });
    expect(attemptsOf(run("b", { startTime: null, state: "Pending" }), undefined, T)).toEqual([]);
  });
});

describe("buildRows", () => {
  it("nests each run under its caller in start order, and hangs runs whose caller is unknown under the root", () => {
    const root = run("root", { kind: "flow", flowRunId: null });
    const rows = buildRows(
      root,
      [
        run("second", { parentRunId: "root", startTime: iso(500) }),
        run("first", { parentRunId: "root", startTime: iso(100) }),
        run("nested", { parentRunId: "first", startTime: iso(200) }),
        run("orphan", { parentRunId: "elsewhere", startTime: iso(900) }),
      ],
      new Map(),
      T,
    );
    expect(rows.map((r) => [r.run.id, r.depth])).toEqual([
      ["root", 0],
      ["first", 1],
      ["nested", 2],
      ["second", 1],
      ["orphan", 1],
    ]);
  });

  it("never loops on parents that form a cycle (runs reachable only through it are left out)", () => {
    const root = run("root", { kind: "flow" });
    const rows = buildRows(
      root,
      [run("a", { parentRunId: "b" }), run("b", { parentRunId: "a" }), run("c", { parentRunId: "root" })],
      new Map(),
      T,
    );
    expect(rows.map((r) => r.run.id)).toEqual(["root", "c"]);
    expect(spanOf(rows)).toEqual({ t0: T, t1: T + 1000 });
  });
});
