import { useQuery } from "@tanstack/react-query";
import type { CSSProperties, ReactNode } from "react";
import { useEffect, useState } from "react";

import { flowsQuery, runsQuery } from "../api/queries.js";
import { STATES } from "../api/types.js";
import { RunChart } from "../components/run-chart.js";
import { CompareBar, useRunSelection } from "../components/run-selection.js";
import { RunTable } from "../components/run-table.js";
import { stateColor } from "../components/state-badge.js";
import { ErrorNote, Loading } from "../components/status.js";
import { sinceOf, TimeRangeSelect } from "../components/time-range.js";
import { formatTotal } from "../format.js";
import { useNow } from "../hooks.js";
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
  // The page stack is in the address (`after=`: the cursors of the pages before), so that Back
  // returns to the same page; changing a filter starts again at page 1.
  const cursors: (string | null)[] = [null, ...(query.get("after") ?? "").split(",").filter(Boolean)];
  const cursor = cursors[cursors.length - 1] ?? null;

  // Typed filters reach the URL (and the server) once typing pauses; a change of the URL (Clear
  // filters, the back button) resets what is typed, during render rather than in an effect.
  const [search, setSearch] = useState(q);
  const [tagDraft, setTagDraft] = useState(tag);
  const [fromUrl, setFromUrl] = useState({ q, tag });
  if (fromUrl.q !== q || fromUrl.tag !== tag) {
    setFromUrl({ q, tag });
    setSearch(q);
    setTagDraft(tag);
  }
  useEffect(() => {
    if (search === q && tagDraft.trim() === tag) return;
    const id = setTimeout(() => update({ q: search, tag: tagDraft.trim() }), 300);
    return () => clearTimeout(id);
  });

  const flows = useQuery(flowsQuery());
  // Pushed runs replace their rows in place; the page is fetched again (at most once a second)
  // only when a run may have joined or left it.
  const runs = useQuery(
    runsQuery({ kind: "flow", state: states, flow, tag, q, since, sort, limit: PAGE, cursor }),
  );
  const now = useNow(1000);
  const selection = useRunSelection();

  function update(patch: Record<string, string | undefined>): void {
    const next = new URLSearchParams(query);
    if (!("after" in patch)) next.delete("after");
    for (const [k, v] of Object.entries(patch)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    navigate(href("/runs", next), { replace: true });
  }
  const setCursors = (next: (old: (string | null)[]) => (string | null)[]): void =>
    update({ after: next(cursors).slice(1).join(",") });
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

      <ErrorNote error={runs.error} retry={() => void runs.refetch()} />
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
            <CompareBar selection={selection} />
            <RunTable runs={runs.data.items} now={now} caption="Flow runs" selection={selection} />
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
