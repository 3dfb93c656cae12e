import { keepPreviousData, queryOptions, useQueries, useQuery } from "@tanstack/react-query";
import type { CSSProperties, ReactNode } from "react";

import { api } from "../api/client.js";
import { runQuery, runsQuery } from "../api/queries.js";
import type { Run, StateHistoryEntry } from "../api/types.js";
import { TERMINAL_STATES } from "../api/types.js";
import { formatDuration, formatTime } from "../format.js";
import { useNow } from "../hooks.js";
import { Link, href } from "../router.js";
import { stateColor } from "./state-badge.js";
import { ErrorNote, Loading } from "./status.js";
import type { TimelineBar, TimelineRow } from "./timeline-model.js";
import { buildRows, spanOf } from "./timeline-model.js";

/** The lists the Task runs and Child runs tabs show: one cache entry (and request) for both views. */
const tasksOf = (runId: string) =>
  runsQuery({ kind: "task", flowRunId: runId, sort: "start-asc", limit: 500 });
const childrenOf = (runId: string) =>
  runsQuery({ kind: "flow", parentRunId: runId, sort: "start-asc", limit: 500 });

/**
 * A retried run's state history, read again whenever its attempts or state change. Keyed apart
 * from `statesQuery` on purpose: that key would open a live stream per run (a browser allows six
 * connections per server), while these changes already arrive on the flow run's stream.
 */
const historyQuery = (run: Run) =>
  queryOptions({
    queryKey: ["timeline-history", run.id, run.runCount, run.state] as const,
    queryFn: ({ signal }) => api.states(run.id, signal),
    staleTime: Infinity,
    placeholderData: keepPreviousData,
  });

/** Where the retried runs' state histories split them into attempts. */
function useHistories(runs: readonly Run[]): Map<string, StateHistoryEntry[]> {
  const retried = runs.filter((r) => r.runCount > 1);
  const answers = useQueries({ queries: retried.map(historyQuery) });
  const out = new Map<string, StateHistoryEntry[]>();
  retried.forEach((r, i) => {
    const data = answers[i]?.data;
    if (data) out.set(r.id, data);
  });
  return out;
}

const pct = (n: number): string => `${(n * 100).toFixed(4)}%`;

function barLabel(bar: TimelineBar, attempts: number): string {
  const what = attempts > 1 ? `attempt ${bar.attempt} of ${attempts}, ` : "";
  const end = bar.open ? "still running" : `to ${formatTime(new Date(bar.end).toISOString())}`;
  return `${what}${bar.open ? "Running" : bar.state} from ${formatTime(new Date(bar.start).toISOString())} ${end} (${formatDuration((bar.end - bar.start) / 1000)})`;
}

function Row({ row, t0, t1 }: { row: TimelineRow; t0: number; t1: number }): ReactNode {
  const { run, depth, bars } = row;
  const span = t1 - t0;
  // A task's lines are its flow run's, filtered by it: its label and bars link there.
  const logs =
    run.kind === "task" && run.flowRunId
      ? href(`/runs/${run.flowRunId}`, { tab: "logs", task: run.id })
      : undefined;
  return (
    <li
      className="tl-row"
      data-run-id={run.id}
      data-depth={depth}
      data-state={run.state}
      style={{ "--depth": Math.min(depth, 6) } as CSSProperties}
    >
      <div className="tl-label">
        <Link to={`#/runs/${run.id}`}>{run.name}</Link>
        {logs && (
          <>
            {" · "}
            <Link className="small" to={logs} aria-label={`Logs of ${run.name}`}>
              logs
            </Link>
          </>
        )}
        <span className="muted small">
          {" "}
          {run.kind === "flow" && depth > 0 ? "flow · " : ""}
          {bars.length > 1 ? `${bars.length} attempts · ` : ""}
          {run.state}
        </span>
      </div>
      <div className="tl-track">
        {bars.length === 0 && <span className="muted small tl-none">not started</span>}
        {bars.map((bar) => (
          <span
            key={bar.attempt}
            className={`tl-bar${bar.open ? " open" : ""}${bar.state === "AwaitingRetry" ? " retried" : ""}`}
            data-attempt={bar.attempt}
            data-state={bar.state}
            data-start={new Date(bar.start).toISOString()}
            data-end={bar.open ? "" : new Date(bar.end).toISOString()}
            style={{
              left: pct((bar.start - t0) / span),
              width: pct((bar.end - bar.start) / span),
              background: stateColor(bar.state === "AwaitingRetry" ? "Failed" : bar.state),
            }}
            title={barLabel(bar, bars.length)}
          >
            <span className="sr-only">{barLabel(bar, bars.length)}</span>
            {logs && <a className="tl-bar-link" href={logs} tabIndex={-1} aria-hidden="true" />}
          </span>
        ))}
      </div>
    </li>
  );
}

/** Offsets from the start on the time axis: five round-ish marks. */
function Axis({ t0, t1 }: { t0: number; t1: number }): ReactNode {
  const marks = [0, 0.25, 0.5, 0.75, 1];
  return (
    <li className="tl-row tl-axis" aria-hidden="true">
      <div className="tl-label muted small">{formatTime(new Date(t0).toISOString())}</div>
      <div className="tl-track">
        {marks.map((m) => (
          <span key={m} className="tl-tick" style={{ left: pct(m) }}>
            +{formatDuration(((t1 - t0) * m) / 1000)}
          </span>
        ))}
      </div>
    </li>
  );
}

/**
 * A Gantt chart of a run and the task and child flow runs it called, nested as they were called,
 * each bar placed at its recorded start and end and coloured by state; a retried run shows one
 * bar per attempt (a failed attempt that was retried in the Failed colour, striped).
 * @example <TaskTimeline runId={run.id} />
 */
export function TaskTimeline({ runId }: { runId: string }): ReactNode {
  const run = useQuery(runQuery(runId));
  const tasks = useQuery(tasksOf(runId));
  const children = useQuery(childrenOf(runId));
  const related = [...(tasks.data?.items ?? []), ...(children.data?.items ?? [])];
  const all = run.data ? [run.data, ...related] : related;
  const live = all.some((r) => !TERMINAL_STATES.includes(r.state));
  const now = useNow(1000, live);
  const histories = useHistories(all);
  const error = run.error ?? tasks.error ?? children.error;
  if (!run.data || !tasks.data || !children.data)
    return error ? <ErrorNote error={error} /> : <Loading what="timeline" />;

  const rows = buildRows(run.data, related, histories, now);
  const span = spanOf(rows);
  const capped = tasks.data.nextCursor !== null || children.data.nextCursor !== null;
  return (
    <section className="card timeline-chart" aria-labelledby="timeline-h">
      <h2 id="timeline-h">
        Timeline <span className="muted small">{rows.length} runs</span>
      </h2>
      {capped && <p className="muted small">Showing the first 500 task runs and 500 child runs.</p>}
      {span === undefined ? (
        <p className="empty">This run has not started yet.</p>
      ) : (
        <ol
          className="tl"
          data-t0={new Date(span.t0).toISOString()}
          data-t1={new Date(span.t1).toISOString()}
        >
          <Axis t0={span.t0} t1={span.t1} />
          {rows.map((row) => (
            <Row key={row.run.id} row={row} t0={span.t0} t1={span.t1} />
          ))}
        </ol>
      )}
    </section>
  );
}
