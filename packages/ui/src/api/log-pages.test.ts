import { describe, expect, it } from "vitest";

import type { LogsData } from "./log-pages.js";
import { addBeyond, addLiveLines, follow, freeze, lineMatches, windowAt } from "./log-pages.js";
import type { LogLine, Page } from "./types.js";

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
  from <= to
    ? Array.from({ length: to - from + 1 }, (_, i) => line(from + i))
    : Array.from({ length: from - to + 1 }, (_, i) => line(from - i));

const page = (items: LogLine[], more = false): Page<LogLine> => ({
  items,
  nextCursor: more ? "next" : null,
  total: items.length,
  totalCapped: false,
});

const seqs = (data: LogsData): number[] => data.lines.map((l) => l.seq);
const range = (from: number, to: number): number[] => lines(from, to).map((l) => l.seq);

describe("a logs window", () => {
  it("read at the newest edge holds the lines oldest first, follows, and knows older ones exist", () => {
    const data = windowAt("newest", page(lines(9, 5), true));
    expect(seqs(data)).toEqual([5, 6, 7, 8, 9]);
    expect(data).toMatchObject({ hasOlder: true, hasNewer: false, frozen: false });
  });

  it("read at the oldest edge does not follow", () => {
    const data = windowAt("oldest", page(lines(0, 4), true));
    expect(data).toMatchObject({ hasOlder: false, hasNewer: true, frozen: true });
  });

  it("appends pushed lines while following, once each, and lets the oldest go past the bound", () => {
    let data = windowAt("newest", page(lines(4, 0)));
    data = addLiveLines(data, [line(5), line(4), line(6)], 5);
    expect(seqs(data)).toEqual([2, 3, 4, 5, 6]);
    expect(data.hasOlder).toBe(true);
  });

  it("keeps pushed lines aside and counts them once the reader stopped following", () => {
    let data = freeze(windowAt("newest", page(lines(4, 0))));
    data = addLiveLines(data, [line(5), line(6)]);
    data = addLiveLines(data, [line(6), line(7)]);
    expect(seqs(data)).toEqual(range(0, 4));
    expect(data.unseen).toBe(3);
    const following = follow(data);
    expect(following && seqs(following)).toEqual(range(0, 7));
    expect(following).toMatchObject({ unseen: 0, frozen: false, pending: [] });
  });

  it("asks for the newest lines to be read again when more were pushed than it can keep aside", () => {
    let data = freeze(windowAt("newest", page(lines(4, 0))));
    data = addLiveLines(data, lines(5, 20), 10);
    expect(data).toMatchObject({ hasNewer: true, unseen: 16, pending: [] });
    expect(follow(data)).toBeNull();
  });

  it("adds older pages at the start and lets the newest go past the bound, no longer at the live end", () => {
    let data = freeze(windowAt("newest", page(lines(19, 10), true)));
    data = addBeyond(data, { side: "older", from: 10, page: page(lines(9, 5), true) }, 12);
    expect(seqs(data)).toEqual(range(5, 16));
    expect(data).toMatchObject({ hasOlder: true, hasNewer: true });
  });

  it("adds newer pages at the end and takes in the lines pushed meanwhile on reaching the newest", () => {
    let data = windowAt("oldest", page(lines(0, 4), true));
    data = addLiveLines(data, [line(9), line(10)]);
    data = addBeyond(data, { side: "newer", from: 4, page: page(lines(5, 9)) }, 8);
    expect(seqs(data)).toEqual(range(3, 10));
    expect(data).toMatchObject({ hasOlder: true, hasNewer: false, pending: [] });
  });

  it("ignores a page read from a side the window no longer ends at", () => {
    const data = windowAt("newest", page(lines(9, 5), true));
    expect(addBeyond(data, { side: "older", from: 7, page: page(lines(6, 2)) })).toBe(data);
  });

  it("ignores a pushed line older than a window that does not reach the oldest", () => {
    const data = windowAt("newest", page(lines(9, 5), true));
    expect(addLiveLines(data, [line(1)])).toBe(data);
  });
});

describe("lineMatches", () => {
  it("filters as the server does: task run, level and up, text anywhere in the message, any case", () => {
    expect(lineMatches({ order: "asc", level: "warning" }, line(1, { level: "error" }))).toBe(true);
    expect(lineMatches({ order: "asc", level: "warning" }, line(1, { level: "info" }))).toBe(false);
    expect(lineMatches({ order: "asc", q: "THRESH" }, line(1, { message: "below threshold" }))).toBe(true);
    expect(lineMatches({ order: "asc", q: "recall" }, line(1, { message: "below threshold" }))).toBe(false);
    const task = "0b7e4c52-6f0d-4f57-9a39-7d7c1c1f0a01";
    expect(lineMatches({ order: "asc", taskRunId: task }, line(1, { taskRunId: task }))).toBe(true);
    expect(lineMatches({ order: "asc", taskRunId: task }, line(1, { taskRunId: null }))).toBe(false);
    expect(lineMatches({ order: "asc", taskRunId: task }, line(1, { taskRunId: "other" }))).toBe(false);
  });
});
