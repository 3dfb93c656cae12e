import type { CSSProperties, ReactNode } from "react";
import { useEffect, useState } from "react";

import { api } from "../api/client.js";
import { useLive } from "../api/live.js";
import { STATES } from "../api/types.js";
import type { Run } from "../api/types.js";
import { RunChart } from "../components/run-chart.js";
import { RunTable } from "../components/run-table.js";
import { stateColor } from "../components/state-badge.js";
import { ErrorNote, Loading } from "../components/status.js";
import { sinceOf, TimeRangeSelect } from "../components/time-range.js";
import { formatTotal } from "../format.js";
import { useAsync, useNow, useThrottled } from "../hooks.js";
import { href, navigate, useRoute } from "../router.js";

type RunSort = "start-desc" | "start-asc" | "duration-desc" | "duration-asc";
const SORTS: { value: RunSort; label: string }[] = [
  { value: "start-desc", label: "Newest first" },
  { value: "start-asc", label: "Oldest first" },
  { value: "duration-desc", label: "Longest first" },
  { value: "duration-asc", label: "Shortest first" },
];
const PAGE = 50;

/** The flow runs list: filters in the URL, server-side sorting and cursor pagination, live rows. */
export function RunsPage(): ReactNode {
  const { query } = useRoute();
  const states = (query.get("state") ?? "").split(",").filter(Boolean);
  const flow = query.get("flow") ?? "";
  const tag = query.get("tag") ?? "";
  const q = query.get("q") ?? "";
  const range = query.get("range") ?? "all";
  const sort: RunSort = SORTS.find((s) => s.value === query.get("sort"))?.value ?? "start-desc";
  const since = sinceOf(range);
  // The page stack belongs to one set of filters: changing a filter starts again at page 1.
  const filterKey = [states.join(","), flow, tag, q, range, sort].join("|");
  const [pager, setPager] = useState<{ key: string; cursors: (string | null)[] }>({
    key: filterKey,
    cursors: [null],
  });
  const cursors = pager.key === filterKey ? pager.cursors : [null];
  const setCursors = (next: (old: (string | null)[]) => (string | null)[]): void =>
    setPager({ key: filterKey, cursors: next(cursors) });
  const cursor = cursors[cursors.length - 1] ?? null;

  // Typed filters reach the URL (and the server) once typing pauses.
  const [search, setSearch] = useState(q);
  const [tagDraft, setTagDraft] = useState(tag);
  useEffect(() => setSearch(q), [q]);
  useEffect(() => setTagDraft(tag), [tag]);
  useEffect(() => {
    if (search === q && tagDraft.trim() === tag) return;
    const id = setTimeout(() => update({ q: search, tag: tagDraft.trim() }), 300);
    return () => clearTimeout(id);
  });

  const flows = useAsync((signal) => api.flows(signal), []);
  const runs = useAsync(
    (signal) =>
      api.runs({ kind: "flow", state: states, flow, tag, q, since, sort, limit: PAGE, cursor }, signal),
    [filterKey, cursor, since],
  );
  const now = useNow(1000);
  const refresh = useThrottled(runs.reload, 1000);
  useLive({
    run: (run: Run) => {
      if (run.kind !== "flow") return;
      const visible = runs.data?.items.some((r) => r.id === run.id);
      if (visible) {
        runs.setData((old) => old && { ...old, items: old.items.map((r) => (r.id === run.id ? run : r)) });
        // Its new state may take it out of a state filter.
        if (states.length > 0 && !states.includes(run.state)) refresh();
      } else if (cursors.length === 1) refresh();
    },
    reconnect: refresh,
  });

  function update(patch: Record<string, string | undefined>): void {
    const next = new URLSearchParams(query);
    for (const [k, v] of Object.entries(patch)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    navigate(href("/runs", next), { replace: true });
  }
  const toggleState = (s: string): void =>
    update({ state: (states.includes(s) ? states.filter((x) => x !== s) : [...states, s]).join(",") });

  return (
    <div className="page">
      <header className="page-head">
        <h1>
          Flow runs{" "}
          {runs.data && (
            <span className="muted" data-testid="runs-total">
              {formatTotal(runs.data)}
            </span>
          )}
        </h1>
      </header>
      <section className="card filters" aria-label="Filters">
        <fieldset className="state-filter">
          <legend>State</legend>
          {STATES.map((s) => (
            <label key={s} className="chip" style={{ "--c": stateColor(s) } as CSSProperties}>
              <input type="checkbox" checked={states.includes(s)} onChange={() => toggleState(s)} />
              {s}
            </label>
          ))}
        </fieldset>
        <div className="filter-row">
          <label className="field">
            <span>Flow</span>
            <select value={flow} onChange={(e) => update({ flow: e.target.value })}>
              <option value="">All flows</option>
              {flows.data?.map((f) => (
                <option key={f.name} value={f.name}>
                  {f.name}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>Tag</span>
            <input
              type="text"
              value={tagDraft}
              placeholder="any"
              onChange={(e) => setTagDraft(e.target.value)}
            />
          </label>
          <TimeRangeSelect
            id="runs-range"
            value={range}
            onChange={(v) => update({ range: v === "all" ? undefined : v })}
          />
          <label className="field grow">
            <span>Search names</span>
            <input
              type="search"
              value={search}
              placeholder="run name…"
              onChange={(e) => setSearch(e.target.value)}
            />
          </label>
          <label className="field">
            <span>Sort</span>
            <select
              value={sort}
              onChange={(e) => update({ sort: e.target.value === "start-desc" ? undefined : e.target.value })}
            >
              {SORTS.map((s) => (
                <option key={s.value} value={s.value}>
                  {s.label}
                </option>
              ))}
            </select>
          </label>
          {(states.length > 0 || flow || tag || q || range !== "all") && (
            <button
              type="button"
              className="link-button"
              onClick={() => navigate("#/runs", { replace: true })}
            >
              Clear filters
            </button>
          )}
        </div>
      </section>

      <ErrorNote error={runs.error} retry={runs.reload} />
      {runs.data ? (
        <>
          <section className="card" aria-labelledby="scatter-h">
            <h2 id="scatter-h">Duration over time</h2>
            <RunChart
              runs={runs.data.items}
              variant="dots"
              label="Run duration over start time for this page"
              now={now}
              height={160}
            />
          </section>
          <section className="card" aria-labelledby="list-h">
            <h2 id="list-h" className="sr-only">
              Runs
            </h2>
            <RunTable runs={runs.data.items} now={now} caption="Flow runs" />
            <nav className="pager" aria-label="Pages">
              <button
                type="button"
                disabled={cursors.length === 1}
                onClick={() => setCursors((c) => c.slice(0, -1))}
              >
                ← Previous
              </button>
              <span className="muted">
                Page {cursors.length} · {formatTotal(runs.data)} runs
              </span>
              <button
                type="button"
                disabled={!runs.data.nextCursor}
                onClick={() => setCursors((c) => [...c, runs.data?.nextCursor ?? null])}
              >
                Next →
              </button>
            </nav>
          </section>
        </>
      ) : (
        !runs.error && <Loading what="runs" />
      )}
    </div>
  );
}
