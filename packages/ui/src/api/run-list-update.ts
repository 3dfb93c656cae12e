import type { RunQuery } from "./client.js";
import type { Page, Run } from "./types.js";

/** The time a list filters and sorts on: the start time, the creation time until the run starts. */
const listTime = (run: Run): number => Date.parse(run.startTime ?? run.createdAt);

/**
 * Whether a run belongs in a list with these filters, by the rules of `GET /api/runs`
 * (docs/api.md). Used only to decide whether a pushed run changes a cached list; the server's answer
 * stays the truth, fetched again whenever the list changes membership.
 */
export function runMatches(filters: RunQuery, run: Run): boolean {
  const time = listTime(run);
  const q = filters.q?.toLowerCase();
  return (
    run.kind === (filters.kind ?? "flow") &&
    (!filters.state?.length || filters.state.includes(run.state)) &&
    (!filters.flow || run.flowName === filters.flow) &&
    (!filters.tag || run.tags.includes(filters.tag)) &&
    (!filters.flowRunId || run.flowRunId === filters.flowRunId) &&
    (!filters.parentRunId || run.parentRunId === filters.parentRunId) &&
    (!filters.deploymentId || run.deploymentId === filters.deploymentId) &&
    (!q || run.name.toLowerCase().includes(q) || run.flowName.toLowerCase().includes(q)) &&
    (!filters.since || time >= Date.parse(filters.since)) &&
    (!filters.until || time <= Date.parse(filters.until)) &&
    // The duration orders list only finished runs.
    (!filters.sort?.startsWith("duration") || run.endTime !== null)
  );
}

export interface RunListUpdate {
  /** The page with the run in place (or inserted); the same object when nothing changed. */
  page: Page<Run>;
  /** The page may now differ from the server's (a run joined or left it): fetch it again. */
  refetch: boolean;
}

/**
 * Applies a pushed run to one cached page of a run list: a run already on the page is replaced in
 * place; a run that has just come to match the first page of a start-time order is inserted where
 * it sorts, keeping the page to its size. Whenever membership may have changed, `refetch` asks for
 * the server's answer.
 * @example const { page, refetch } = applyRunToPage(cached, pushedRun, { kind: "flow", limit: 50 });
 */
export function applyRunToPage(page: Page<Run>, run: Run, filters: RunQuery): RunListUpdate {
  const matches = runMatches(filters, run);
  const index = page.items.findIndex((r) => r.id === run.id);
  if (index >= 0) {
    const items = page.items.slice();
    items[index] = run;
    // Still shown until the list is fetched again, so that a row never vanishes without a refetch.
    return { page: { ...page, items }, refetch: !matches };
  }
  if (!matches || filters.cursor) return { page, refetch: false };
  const sort = filters.sort ?? "start-desc";
  if (sort !== "start-desc" && sort !== "start-asc") return { page, refetch: true };
  const limit = filters.limit ?? 50;
  const time = listTime(run);
  const before = (r: Run): boolean => (sort === "start-desc" ? listTime(r) < time : listTime(r) > time);
  let at = page.items.findIndex(before);
  if (at < 0) at = page.items.length;
  // A full page whose last run sorts before this one: the run belongs on a later page (the total
  // it shows has changed all the same).
  if (at >= limit) return { page, refetch: true };
  const items = [...page.items.slice(0, at), run, ...page.items.slice(at)].slice(0, limit);
  return { page: { ...page, items, total: page.total + 1 }, refetch: true };
}
