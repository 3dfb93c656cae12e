import type { InfiniteData } from "@tanstack/react-query";

import { levelRank } from "./log-level.js";
import type { LogFilters } from "./query-keys.js";
import type { LogLine, Page } from "./types.js";

/** Lines fetched per page. */
export const LOG_PAGE_SIZE = 200;

/**
 * The most lines a logs view holds. A run that never ends keeps logging: past this, the oldest
 * lines leave the view (they stay on the server: *Download* or the other order shows them), so that
 * the page stays as fast after a day as after a minute.
 */
export const MAX_LOG_LINES = 2000;

/** A fetched page of a run's logs, plus what the live channel added to it. */
export interface LogsPage extends Page<LogLine> {
  /** Lines pushed after this page while later pages were still unloaded ("Load more (3 new)"). */
  newBelow: number;
  /** Lines were cut from this page to keep the view within {@link MAX_LOG_LINES}. */
  cut: boolean;
}

export type LogsData = InfiniteData<LogsPage, string | null>;

/** Whether a line passes a view's filters, as `GET /api/runs/:id/logs` filters (level and up, text in the message). */
export function lineMatches(filters: LogFilters, line: LogLine): boolean {
  if (filters.level && levelRank(line.level) < levelRank(filters.level)) return false;
  return !filters.q || line.message.toLowerCase().includes(filters.q.toLowerCase());
}

/** Whether older lines exist that the view no longer holds and "Load more" would not bring back. */
export function olderLinesCut(data: LogsData, order: LogFilters["order"]): boolean {
  if (order === "asc") return data.pageParams[0] !== null || data.pages[0]?.cut === true;
  return data.pages.at(-1)?.cut === true;
}

/**
 * Adds pushed lines to a cached logs view. Newest first: on top. Oldest first: at the end, once
 * every page is loaded (before that they are counted, and come with "Load more"). Lines already
 * held are skipped. Past `max` lines the oldest leave: whole pages first, so that the remaining
 * pages' cursors stay valid, then lines of the one page left.
 * @example client.setQueryData(key, (old) => old && addLiveLines(old, [line], "asc"));
 */
export function addLiveLines(
  data: LogsData,
  lines: readonly LogLine[],
  order: LogFilters["order"],
  max = MAX_LOG_LINES,
): LogsData {
  const held = new Set<number>();
  for (const page of data.pages) for (const line of page.items) held.add(line.seq);
  const fresh: LogLine[] = [];
  for (const line of lines) {
    if (held.has(line.seq)) continue;
    held.add(line.seq);
    fresh.push(line);
  }
  fresh.sort((a, b) => a.seq - b.seq);
  const pages = data.pages.slice();
  const first = pages[0];
  const last = pages.at(-1);
  if (fresh.length === 0 || first === undefined || last === undefined) return data;
  if (order === "desc") pages[0] = { ...first, items: [...fresh.reverse(), ...first.items] };
  else if (last.nextCursor !== null) {
    pages[pages.length - 1] = { ...last, newBelow: last.newBelow + fresh.length };
    return { pages, pageParams: data.pageParams };
  } else pages[pages.length - 1] = { ...last, items: [...last.items, ...fresh] };
  return bound({ pages, pageParams: data.pageParams.slice() }, order, max);
}

function bound(data: LogsData, order: LogFilters["order"], max: number): LogsData {
  const { pages, pageParams } = data;
  let total = pages.reduce((n, p) => n + p.items.length, 0);
  if (total <= max) return data;
  if (order === "asc") {
    while (total > max && pages.length > 1) {
      total -= pages.shift()!.items.length;
      pageParams.shift();
    }
    const first = pages[0]!;
    if (total > max) pages[0] = { ...first, items: first.items.slice(total - max), cut: true };
  } else {
    while (total > max && pages.length > 1) {
      total -= pages.pop()!.items.length;
      pageParams.pop();
    }
    const only = pages[0]!;
    // No cursor can be made for the cut point, so "Load more" ends here.
    if (total > max) pages[0] = { ...only, items: only.items.slice(0, max), nextCursor: null, cut: true };
  }
  return data;
}
