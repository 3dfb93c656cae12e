import type { ReactNode } from "react";

import { api } from "../api/client.js";
import { useLive } from "../api/live.js";
import type { Run } from "../api/types.js";
import { ArtifactView } from "../components/artifact-view.js";
import { RunTable } from "../components/run-table.js";
import { StateBadge } from "../components/state-badge.js";
import { ErrorNote, Loading } from "../components/status.js";
import { formatDateTime } from "../format.js";
import { useAsync, useNow, useThrottled } from "../hooks.js";
import { Link } from "../router.js";

/** Task runs (`kind: "task"`) or child flow runs of a run, refreshed when any of them changes. */
export function RelatedRunsTab({ run, relation }: { run: Run; relation: "tasks" | "children" }): ReactNode {
  const runs = useAsync(
    (signal) =>
      api.runs(
        relation === "tasks"
          ? { kind: "task", flowRunId: run.id, sort: "start-asc", limit: 500 }
          : { kind: "flow", parentRunId: run.id, sort: "start-asc", limit: 500 },
        signal,
      ),
    [run.id, relation],
  );
  const now = useNow(1000);
  const refresh = useThrottled(runs.reload, 500);
  // The run-scoped stream also carries the run's task runs and child runs.
  useLive(
    {
      run: (r) => {
        if (r.flowRunId === run.id || r.parentRunId === run.id) refresh();
      },
      reconnect: refresh,
    },
    run.id,
  );
  const what = relation === "tasks" ? "task runs" : "child flow runs";
  return (
    <div>
      <ErrorNote error={runs.error} retry={runs.reload} />
      {runs.loading && !runs.data && <Loading what={what} />}
      {runs.data &&
        (runs.data.items.length === 0 ? (
          <p className="empty">This run has no {what}.</p>
        ) : (
          <RunTable runs={runs.data.items} now={now} caption={what} showFlow={relation === "children"} />
        ))}
    </div>
  );
}

export function ArtifactsTab({ run }: { run: Run }): ReactNode {
  const artifacts = useAsync((signal) => api.artifacts(run.id, signal), [run.id]);
  useLive({ artifact: () => artifacts.reload(), reconnect: artifacts.reload }, run.id);
  return (
    <div className="stack">
      <ErrorNote error={artifacts.error} retry={artifacts.reload} />
      {artifacts.loading && !artifacts.data && <Loading what="artifacts" />}
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

export function ParametersTab({ run }: { run: Run }): ReactNode {
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

export function DetailsTab({ run }: { run: Run }): ReactNode {
  const states = useAsync((signal) => api.states(run.id, signal), [run.id, run.state]);
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
        <ErrorNote error={states.error} retry={states.reload} />
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
