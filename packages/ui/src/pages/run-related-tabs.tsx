import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";

import { artifactsQuery, runQuery, runsQuery, statesQuery } from "../api/queries.js";
import type { Run, StateHistoryEntry } from "../api/types.js";
import { ArtifactView } from "../components/artifact-view.js";
import { RunTable } from "../components/run-table.js";
import { StateBadge } from "../components/state-badge.js";
import { ErrorNote, Loading } from "../components/status.js";
import { formatDateTime } from "../format.js";
import { useNow } from "../hooks.js";
import { Link } from "../router.js";

/** Task runs (`kind: "task"`) or child flow runs of a run, kept live by the run's stream. */
export function RelatedRunsTab({
  runId,
  relation,
}: {
  runId: string;
  relation: "tasks" | "children";
}): ReactNode {
  const runs = useQuery(
    runsQuery(
      relation === "tasks"
        ? { kind: "task", flowRunId: runId, sort: "start-asc", limit: 500 }
        : { kind: "flow", parentRunId: runId, sort: "start-asc", limit: 500 },
    ),
  );
  const now = useNow(1000);
  const what = relation === "tasks" ? "task runs" : "child flow runs";
  return (
    <div>
      <ErrorNote error={runs.error} retry={() => void runs.refetch()} />
      {runs.isPending && <Loading what={what} />}
      {runs.data &&
        (runs.data.items.length === 0 ? (
          <p className="empty">This run has no {what}.</p>
        ) : (
          <RunTable runs={runs.data.items} now={now} caption={what} showFlow={relation === "children"} />
        ))}
    </div>
  );
}

export function ArtifactsTab({ runId }: { runId: string }): ReactNode {
  const artifacts = useQuery(artifactsQuery(runId));
  return (
    <div className="stack">
      <ErrorNote error={artifacts.error} retry={() => void artifacts.refetch()} />
      {artifacts.isPending && <Loading what="artifacts" />}
      {artifacts.data && artifacts.data.length === 0 && (
        <p className="empty">This run has created no artifacts.</p>
      )}
      {artifacts.data?.map((a) => (
        <ArtifactView key={a.id} artifact={a} />
      ))}
    </div>
  );
}

function valueText(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v, null, 2);
}

export function ParametersTab({ runId }: { runId: string }): ReactNode {
  const run = useQuery(runQuery(runId)).data;
  if (!run) return null;
  const entries = Object.entries(run.parameters);
  if (entries.length === 0) return <p className="empty">This run took no parameters.</p>;
  return (
    <table className="data kv">
      <caption className="sr-only">Parameters</caption>
      <tbody>
        {entries.map(([k, v]) => (
          <tr key={k}>
            <th scope="row">{k}</th>
            <td>
              <pre>{valueText(v)}</pre>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function DetailsTab({ runId }: { runId: string }): ReactNode {
  const run = useQuery(runQuery(runId)).data;
  // Fetched again whenever the run's stream says the run changed.
  const states = useQuery(statesQuery(runId));
  if (!run) return null;
  return <DetailsView run={run} states={states} />;
}

function DetailsView({
  run,
  states,
}: {
  run: Run;
  states: { data: StateHistoryEntry[] | undefined; error: Error | null; refetch: () => unknown };
}): ReactNode {
  const rows: [string, ReactNode][] = [
    ["Run id", <code key="id">{run.id}</code>],
    ["Kind", run.kind],
    ["Flow", run.flowName],
    ["Created", formatDateTime(run.createdAt)],
    ["Started", formatDateTime(run.startTime)],
    ["Ended", formatDateTime(run.endTime)],
  ];
  if (run.parentRunId)
    rows.push([
      "Parent run",
      <Link key="p" to={`#/runs/${run.parentRunId}`}>
        {run.parentRunId}
      </Link>,
    ]);
  if (run.flowRunId)
    rows.push([
      "Flow run",
      <Link key="f" to={`#/runs/${run.flowRunId}`}>
        {run.flowRunId}
      </Link>,
    ]);
  return (
    <div className="grid-2">
      <section className="card" aria-labelledby="history-h">
        <h2 id="history-h">State history</h2>
        <ErrorNote error={states.error} retry={() => void states.refetch()} />
        {states.data && (
          <ol className="timeline">
            {states.data.map((s) => (
              <li key={s.id || s.timestamp} data-state={s.type}>
                <StateBadge state={s.type} />
                <time dateTime={s.timestamp}>{formatDateTime(s.timestamp)}</time>
                {s.message && <p className="state-message">{s.message}</p>}
              </li>
            ))}
          </ol>
        )}
      </section>
      <section className="card" aria-labelledby="details-h">
        <h2 id="details-h">Details</h2>
        <table className="data kv">
          <tbody>
            {rows.map(([k, v]) => (
              <tr key={k}>
                <th scope="row">{k}</th>
                <td>{v}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}
