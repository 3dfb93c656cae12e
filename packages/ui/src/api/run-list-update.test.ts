import { describe, expect, it } from "vitest";

import { applyRunToPage, runMatches } from "./run-list-update.js";
import type { Page, Run } from "./types.js";
import { makeRun } from "../../test/runs.js";

const minute = (m: number): string => new Date(Date.UTC(2026, 0, 1, 12, m)).toISOString();

const run = (id: string, patch: Partial<Run> = {}): Run => makeRun(id, minute(0), patch);

const page = (items: Run[], patch: Partial<Page<Run>> = {}): Page<Run> => ({
  items,
  nextCursor: null,
  total: items.length,
  totalCapped: false,
  ...patch,
});

describe("runMatches", () => {
  it("follows the list's filters: kind (flow by default), states, flow, tag, name search and time", () => {
    const r = run("a", { tags: ["yelp"], startTime: minute(30) });
    expect(runMatches({}, r)).toBe(true);
    expect(runMatches({ kind: "task" }, r)).toBe(false);
    expect(runMatches({ state: ["Completed", "Failed"] }, r)).toBe(false);
    expect(runMatches({ state: ["Running"], flow: "river-model-subscriber", tag: "yelp" }, r)).toBe(true);
    expect(runMatches({ q: "RIVER-model" }, r)).toBe(true);
    expect(runMatches({ q: "RUN-A" }, r)).toBe(true);
    expect(runMatches({ q: "publisher" }, r)).toBe(false);
    expect(runMatches({ since: minute(31) }, r)).toBe(false);
    expect(runMatches({ until: minute(29) }, r)).toBe(false);
  });

  it("keeps a deployment's list to that deployment's runs", () => {
    const d = "5b0c3a52-8a1e-4f7e-9d2a-0c6f1b2e3d4f";
    expect(runMatches({ deploymentId: d }, run("a", { deploymentId: d }))).toBe(true);
    expect(runMatches({ deploymentId: d }, run("b"))).toBe(false);
    expect(runMatches({ deploymentId: d }, run("c", { deploymentId: "another" }))).toBe(false);
  });

  it("takes the creation time for a run that has not started, and lists only finished runs by duration", () => {
    const pending = run("a", { state: "Pending", startTime: null, createdAt: minute(40) });
    expect(runMatches({ since: minute(39) }, pending)).toBe(true);
    expect(runMatches({ sort: "duration-desc" }, pending)).toBe(false);
    expect(runMatches({ sort: "duration-desc" }, run("b", { endTime: minute(2) }))).toBe(true);
  });
});

describe("applyRunToPage", () => {
  it("replaces a run already on the page in place, without asking for the list again", () => {
    const before = page([run("a"), run("b")]);
    const { page: after, refetch } = applyRunToPage(before, run("b", { state: "Completed" }), {});
    expect(after.items.map((r) => [r.id, r.state])).toEqual([
      ["a", "Running"],
      ["b", "Completed"],
    ]);
    expect(refetch).toBe(false);
  });

  it("keeps a run that left the state filter on the page until the list is fetched again", () => {
    const before = page([run("a"), run("b")]);
    const { page: after, refetch } = applyRunToPage(before, run("b", { state: "Completed" }), {
      state: ["Running"],
    });
    expect(after.items.map((r) => r.id)).toEqual(["a", "b"]);
    expect(refetch).toBe(true);
  });

  it("inserts a new run where it sorts on a newest-first first page, keeping the page to its size", () => {
    const before = page([run("c", { startTime: minute(30) }), run("a", { startTime: minute(10) })]);
    const { page: after, refetch } = applyRunToPage(before, run("b", { startTime: minute(20) }), {
      limit: 2,
    });
    expect(after.items.map((r) => r.id)).toEqual(["c", "b"]);
    expect(after.total).toBe(3);
    expect(refetch).toBe(true);
  });

  it("inserts at the end of an oldest-first page that is not full (a flow run's task runs)", () => {
    const filters = { kind: "task" as const, flowRunId: "f", sort: "start-asc" as const, limit: 500 };
    const before = page([run("t1", { kind: "task", flowRunId: "f", startTime: minute(1) })]);
    const next = run("t2", { kind: "task", flowRunId: "f", startTime: minute(2) });
    expect(applyRunToPage(before, next, filters).page.items.map((r) => r.id)).toEqual(["t1", "t2"]);
  });

  it("leaves a page alone for a run that does not belong in it, or that only a later page could hold", () => {
    const before = page([run("a")]);
    const other = applyRunToPage(before, run("x", { flowName: "other-flow" }), {
      flow: "river-model-subscriber",
    });
    expect(other).toEqual({ page: before, refetch: false });
    const later = applyRunToPage(before, run("y"), { cursor: "abc" });
    expect(later).toEqual({ page: before, refetch: false });
  });
});
