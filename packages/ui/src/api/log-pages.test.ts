import { describe, expect, it } from "vitest";

import type { LogsData, LogsPage } from "./log-pages.js";
import { addLiveLines, lineMatches, olderLinesCut } from "./log-pages.js";
import type { LogLine } from "./types.js";

function line(seq: number, patch: Partial<LogLine> = {}): LogLine {
  return {
    runId: "r",
    seq,
    level: "info",
    levelNo: 20,
    message: `line ${seq}`,
    fields: null,
    timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
    taskRunId: null,
    ...patch,
  };
}

const lines = (from: number, to: number): LogLine[] =>
  Array.from({ length: to - from + 1 }, (_, i) => line(from + i));

function logsPage(items: LogLine[], nextCursor: string | null = null): LogsPage {
  return { items, nextCursor, total: items.length, totalCapped: false, newBelow: 0, cut: false };
}

const seqs = (data: LogsData): number[] => data.pages.flatMap((p) => p.items.map((l) => l.seq));

describe("addLiveLines", () => {
  it("appends pushed lines to an oldest-first view once all of it is loaded, skipping lines it holds", () => {
    const data: LogsData = { pages: [logsPage(lines(0, 2))], pageParams: [null] };
    const next = addLiveLines(data, [line(2), line(4), line(3)], "asc");
    expect(seqs(next)).toEqual([0, 1, 2, 3, 4]);
    expect(addLiveLines(next, [line(4)], "asc")).toBe(next);
  });

  it("counts the lines pushed below an oldest-first view whose later pages are not loaded yet", () => {
    const data: LogsData = { pages: [logsPage(lines(0, 1), "cursor-1")], pageParams: [null] };
    const next = addLiveLines(data, [line(9), line(10)], "asc");
    expect(seqs(next)).toEqual([0, 1]);
    expect(next.pages[0]!.newBelow).toBe(2);
  });

  it("puts pushed lines on top of a newest-first view, newest first", () => {
    const data: LogsData = { pages: [logsPage([line(1), line(0)], "cursor-1")], pageParams: [null] };
    expect(seqs(addLiveLines(data, [line(2), line(3)], "desc"))).toEqual([3, 2, 1, 0]);
  });

  it("keeps an oldest-first live tail within the limit: whole pages leave first, then the oldest lines", () => {
    const data: LogsData = {
      pages: [logsPage(lines(0, 3), "c1"), logsPage(lines(4, 5))],
      pageParams: [null, "c1"],
    };
    const once = addLiveLines(data, lines(6, 8), "asc", 5);
    // The first page left with its cursor: a refetch starts where the view now starts.
    expect(once.pageParams).toEqual(["c1"]);
    expect(seqs(once)).toEqual([4, 5, 6, 7, 8]);
    expect(olderLinesCut(once, "asc")).toBe(true);
    const twice = addLiveLines(once, lines(9, 10), "asc", 5);
    expect(seqs(twice)).toEqual([6, 7, 8, 9, 10]);
    expect(twice.pages[0]!.cut).toBe(true);
  });

  it("keeps a newest-first live tail within the limit, and ends Load more where it had to cut", () => {
    const data: LogsData = {
      pages: [logsPage([line(5), line(4), line(3)], "c1"), logsPage([line(2), line(1)], "c2")],
      pageParams: [null, "c1"],
    };
    const once = addLiveLines(data, [line(6)], "desc", 5);
    expect(seqs(once)).toEqual([6, 5, 4, 3]);
    expect(once.pages.at(-1)!.nextCursor).toBe("c1");
    expect(olderLinesCut(once, "desc")).toBe(false);
    const twice = addLiveLines(once, lines(7, 9), "desc", 5);
    expect(seqs(twice)).toEqual([9, 8, 7, 6, 5]);
    expect(twice.pages[0]!.nextCursor).toBeNull();
    expect(olderLinesCut(twice, "desc")).toBe(true);
  });
});

describe("lineMatches", () => {
  it("passes lines at or above the level whose message contains the search, in any case", () => {
    const warning = line(1, { level: "warning", message: "Precision is below threshold" });
    expect(lineMatches({ order: "asc", level: "warning", q: "PRECISION" }, warning)).toBe(true);
    expect(lineMatches({ order: "asc", level: "error" }, warning)).toBe(false);
    expect(lineMatches({ order: "asc", q: "recall" }, warning)).toBe(false);
  });
});
