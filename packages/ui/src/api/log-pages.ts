import { api } from "./client.js";
import { levelRank } from "./log-level.js";
import type { LogFilters } from "./query-keys.js";
import type { LogLine, Page } from "./types.js";

/** Lines fetched per request: the first screenful and each page loaded while scrolling. */
const LOG_PAGE_SIZE = 500;

/**
 * The most lines a logs view holds. The run's other lines stay on the server: scrolling towards
 * them loads them page by page (and lets the farthest go), so that a view of 1,000,000 lines, or of
 * a run that has logged for a week, is as fast as one of a hundred.
 */
const MAX_LOG_LINES = 2000;

/**
 * What a logs view holds: a window of consecutive lines of the run (those matching the filters),
 * oldest first whatever the order shown, and what lies beyond it on either side.
 */
export interface LogsData {
  lines: LogLine[];
  /** Older lines exist that the window does not hold. */
  hasOlder: boolean;
  /** Newer lines exist that the window does not hold: it does not end at the newest line. */
  hasNewer: boolean;
  /** The view stopped following the newest line: pushed lines wait in `pending`. */
  frozen: boolean;
  /** Lines pushed while frozen or while newer lines were not held (the newest {@link MAX_LOG_LINES}). */
  pending: LogLine[];
  /** How many lines were pushed since the view stopped following ("12 new lines"). */
  unseen: number;
  /** The lines matching the filters on the server when the window was read ("10,000+" when capped). */
  total: number;
  totalCapped: boolean;
}

/** Where a window is read from: the oldest lines, or the newest (following them). */
export type LogEdge = "oldest" | "newest";

/**
 * Whether a line passes a view's filters, as `GET /api/runs/:id/logs` filters (written inside the
 * task run, level and up, text in the message).
 */
export function lineMatches(filters: LogFilters, line: LogLine): boolean {
  if (filters.taskRunId && line.taskRunId !== filters.taskRunId) return false;
  if (filters.level && levelRank(line.level) < levelRank(filters.level)) return false;
  return !filters.q || line.message.toLowerCase().includes(filters.q.toLowerCase());
}

/** A page of lines from the server, as a window at one edge of the run's logs. */
export function windowAt(edge: LogEdge, page: Page<LogLine>): LogsData {
  const more = page.nextCursor !== null;
  const lines = edge === "newest" ? page.items.slice().reverse() : page.items;
  return {
    lines,
    hasOlder: edge === "newest" && more,
    hasNewer: edge === "oldest" && more,
    frozen: edge === "oldest",
    pending: [],
    unseen: 0,
    total: page.total,
    totalCapped: page.totalCapped,
  };
}

/** Reads the window at an edge: the first or the last {@link LOG_PAGE_SIZE} lines. */
export async function readWindow(
  runId: string,
  filters: LogFilters,
  edge: LogEdge,
  signal?: AbortSignal,
): Promise<LogsData> {
  const order = edge === "newest" ? "desc" : "asc";
  const page = await api.logs(runId, { ...filters, order, limit: LOG_PAGE_SIZE }, signal);
  return windowAt(edge, page);
}

/**
 * A keyset cursor for the lines after (or, newest first, before) `seq`: the server's cursors are
 * base64url JSON of `[null, seq]`.
 */
function cursorAfter(seq: number): string {
  return btoa(JSON.stringify([null, seq]))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

/** A page read beyond one side of a window, and the seq of the window's line it was read from. */
interface PageBeyond {
  side: "older" | "newer";
  from: number;
  page: Page<LogLine>;
}

/** Reads the page of lines just beyond one side of the window; `null` when there is nothing to read. */
export async function readBeyond(
  runId: string,
  filters: LogFilters,
  data: LogsData,
  side: "older" | "newer",
  signal?: AbortSignal,
): Promise<PageBeyond | null> {
  const edge = side === "older" ? data.lines[0] : data.lines.at(-1);
  if (edge === undefined || !(side === "older" ? data.hasOlder : data.hasNewer)) return null;
  const order = side === "older" ? "desc" : "asc";
  const cursor = cursorAfter(edge.seq);
  const page = await api.logs(runId, { ...filters, order, cursor, limit: LOG_PAGE_SIZE }, signal);
  return { side, from: edge.seq, page };
}

/** Lines of `a` and `b`, each seq once, oldest first. */
function merged(a: readonly LogLine[], b: readonly LogLine[]): LogLine[] {
  const bySeq = new Map<number, LogLine>();
  for (const line of a) bySeq.set(line.seq, line);
  for (const line of b) bySeq.set(line.seq, line);
  return [...bySeq.values()].sort((x, y) => x.seq - y.seq);
}

/** Keeps the window within `max` lines, letting the lines farthest from `keep` go. */
function bound(data: LogsData, keep: "older" | "newer", max: number): LogsData {
  if (data.lines.length <= max) return data;
  if (keep === "newer") return { ...data, lines: data.lines.slice(-max), hasOlder: true };
  return { ...data, lines: data.lines.slice(0, max), hasNewer: true, pending: [] };
}

/**
 * Adds pushed lines to a cached window. While the window ends at the newest line and follows it,
 * they are appended (the oldest leave past `max`); otherwise they wait in `pending` and are counted
 * in `unseen`, so that nothing moves under a reader. Lines already held are skipped.
 * @example client.setQueryData(key, (old) => old && addLiveLines(old, [line]));
 */
export function addLiveLines(data: LogsData, lines: readonly LogLine[], max = MAX_LOG_LINES): LogsData {
  const held = new Set<number>();
  for (const line of data.lines) held.add(line.seq);
  for (const line of data.pending) held.add(line.seq);
  const first = data.lines[0];
  const fresh = lines.filter(
    (l) => !held.has(l.seq) && !(data.hasOlder && first !== undefined && l.seq < first.seq),
  );
  if (fresh.length === 0) return data;
  if (!data.frozen && !data.hasNewer)
    return bound({ ...data, lines: merged(data.lines, fresh) }, "newer", max);
  const pending = merged(data.pending, fresh);
  const unseen = data.unseen + fresh.length;
  // Too many to keep: the window will read what it misses from the server instead.
  if (pending.length > max) return { ...data, pending: [], hasNewer: true, unseen };
  return { ...data, pending, unseen };
}

/** The view stopped following the newest line (its reader scrolled away from it). */
export function freeze(data: LogsData): LogsData {
  return data.frozen ? data : { ...data, frozen: true, unseen: 0 };
}

/**
 * The view follows the newest line again. `null` when the window does not reach it: read the
 * newest lines instead.
 */
export function follow(data: LogsData, max = MAX_LOG_LINES): LogsData | null {
  if (data.hasNewer) return null;
  const lines = merged(data.lines, data.pending);
  return bound({ ...data, lines, pending: [], unseen: 0, frozen: false }, "newer", max);
}

/**
 * Adds the page read beyond one side of the window ({@link readBeyond}) and lets lines go at the
 * other side past `max`. Reaching the newest line takes in the lines pushed meanwhile. A page read
 * from a side the window no longer ends at (it was read again, or lines left it) is ignored.
 */
export function addBeyond(data: LogsData, { side, from, page }: PageBeyond, max = MAX_LOG_LINES): LogsData {
  if ((side === "older" ? data.lines[0] : data.lines.at(-1))?.seq !== from) return data;
  const more = page.nextCursor !== null;
  if (side === "older") {
    const next = { ...data, lines: merged(page.items, data.lines), hasOlder: more };
    return bound(next, "older", max);
  }
  let next: LogsData = { ...data, lines: merged(data.lines, page.items), hasNewer: more };
  if (!more) {
    const last = next.lines.at(-1)?.seq ?? -Infinity;
    next = {
      ...next,
      lines: merged(
        next.lines,
        next.pending.filter((l) => l.seq > last),
      ),
      pending: [],
    };
  }
  return bound(next, "newer", max);
}
