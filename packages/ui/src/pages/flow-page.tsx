import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";

import { deploymentsQuery, flowsQuery, metricsQuery, runsQuery } from "../api/queries.js";
import type { Run } from "../api/types.js";
import { TERMINAL_STATES } from "../api/types.js";
import { ApiError } from "../errors.js";
import { RunChart } from "../components/run-chart.js";
import { CompareBar, useRunSelection } from "../components/run-selection.js";
import { RunTable } from "../components/run-table.js";
import { StateBadge } from "../components/state-badge.js";
import { ErrorNote, Loading } from "../components/status.js";
import { formatAgo, formatDateTime, formatNumber } from "../format.js";
import { useNow } from "../hooks.js";
import { href, Link } from "../router.js";

/** How many of a flow's newest runs its chart, success rate and list are taken from. */
const RECENT = 200;
/** How many of them its list shows (the runs page has them all). */
const LISTED = 50;
const FAILED = ["Failed", "Crashed", "TimedOut"] as const;

/** Completed among the finished runs, as a percentage (`null` when none finished). */
function successRate(runs: readonly Run[]): { rate: number | null; finished: number } {
  const finished = runs.filter((r) => TERMINAL_STATES.includes(r.state));
  const completed = finished.filter((r) => r.state === "Completed").length;
  return { rate: finished.length ? (100 * completed) / finished.length : null, finished: finished.length };
}

function LastFailure({ flow, now }: { flow: string; now: number }): ReactNode {
  const failed = useQuery(runsQuery({ kind: "flow", flow, state: FAILED, limit: 1, sort: "start-desc" }));
  const run = failed.data?.items[0];
  return (
    <div>
      <dt>Last failure</dt>
      <dd data-testid="last-failure">
        {!failed.data ? (
          "…"
        ) : run ? (
          <>
            <Link to={`#/runs/${run.id}`}>{run.name}</Link> <StateBadge state={run.state} />{" "}
            <span className="muted small">{formatAgo(run.endTime ?? run.stateTimestamp, now)}</span>
            {run.stateMessage && <span className="muted small state-message">{run.stateMessage}</span>}
          </>
        ) : (
          "none"
        )}
      </dd>
    </div>
  );
}

/** The last value of each metric the flow's latest run logged. */
function LatestMetrics({ run, now }: { run: Run; now: number }): ReactNode {
  const metrics = useQuery(metricsQuery(run.id));
  return (
    <section className="card" aria-labelledby="flow-metrics-h">
      <h2 id="flow-metrics-h">
        Latest metrics{" "}
        <span className="muted small">
          of <Link to={href(`/runs/${run.id}`, { tab: "metrics" })}>{run.name}</Link>
        </span>
      </h2>
      <ErrorNote error={metrics.error} retry={() => void metrics.refetch()} />
      {metrics.data &&
        (metrics.data.length === 0 ? (
          <p className="empty">The latest run has logged no metrics.</p>
        ) : (
          <table className="data kv">
            <caption className="sr-only">Latest value of each metric of {run.name}</caption>
            <tbody>
              {metrics.data.map((s) => {
                const last = s.points.at(-1);
                return (
                  <tr key={s.name} data-metric={s.name}>
                    <th scope="row">{s.name}</th>
                    <td className="num">{last ? formatNumber(last.value, 4) : "—"}</td>
                    <td className="muted small">
                      {last?.step !== null && last?.step !== undefined ? `step ${last.step} · ` : ""}
                      {last ? (
                        <span title={formatDateTime(last.timestamp)}>{formatAgo(last.timestamp, now)}</span>
                      ) : (
                        ""
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        ))}
    </section>
  );
}

/** The flow's deployments; nothing at all on a server without deployments (404). */
function FlowDeployments({ flow }: { flow: string }): ReactNode {
  const deployments = useQuery({ ...deploymentsQuery(), retry: false });
  if (deployments.error instanceof ApiError && deployments.error.status === 404) return null;
  const mine = deployments.data?.filter((d) => d.flowName === flow);
  if (!deployments.error && !mine) return null;
  return (
    <section className="card" aria-labelledby="flow-deployments-h" data-testid="flow-deployments">
      <h2 id="flow-deployments-h">Deployments</h2>
      <ErrorNote error={deployments.error} retry={() => void deployments.refetch()} />
      {mine &&
        (mine.length === 0 ? (
          <p className="empty">This flow has no deployments.</p>
        ) : (
          <ul className="plain-list">
            {mine.map((d) => (
              <li key={d.id}>
                <Link to={`#/deployments/${encodeURIComponent(d.name)}`}>{d.name}</Link>{" "}
                <span className="muted small">
                  {d.paused ? "paused · " : ""}
                  {d.scheduleDescription ?? "no schedule"}
                  {d.nextRuns[0] ? ` · next ${formatDateTime(d.nextRuns[0])}` : ""}
                </span>
              </li>
            ))}
          </ul>
        ))}
    </section>
  );
}

/**
 * One flow (`#/flows/:name`): its runs over time (duration and state), success rate, last failure,
 * the latest metrics of its latest run, its deployments, and its runs to tick for comparison.
 */
export function FlowPage({ name }: { name: string }): ReactNode {
  const flows = useQuery(flowsQuery());
  const runs = useQuery(runsQuery({ kind: "flow", flow: name, limit: RECENT, sort: "start-desc" }));
  const selection = useRunSelection();
  const now = useNow(1000);
  const summary = flows.data?.find((f) => f.name === name);
  const items = runs.data?.items ?? [];
  const { rate, finished } = successRate(items);
  const latest = items[0];

  if (flows.data && !summary)
    return (
      <div className="page">
        <h1>Flow not found</h1>
        <p>
          No run of a flow named <code>{name}</code> has been recorded.{" "}
          <Link to="#/flows">See all flows</Link>.
        </p>
      </div>
    );
  return (
    <div className="page flow-page">
      <header className="run-head">
        <nav aria-label="Breadcrumb" className="crumbs">
          <Link to="#/flows">Flows</Link>
          <span aria-hidden="true"> › </span>
        </nav>
        <h1>{name}</h1>
        <dl className="run-facts">
          <div>
            <dt>Runs</dt>
            <dd>{summary ? formatNumber(summary.runCount) : "…"}</dd>
          </div>
          <div>
            <dt>Success rate</dt>
            <dd data-testid="success-rate">
              {rate === null ? "—" : `${formatNumber(rate, 1)}%`}
              <span className="muted small"> of the last {formatNumber(finished)} finished</span>
            </dd>
          </div>
          <LastFailure flow={name} now={now} />
        </dl>
      </header>
      <ErrorNote error={runs.error ?? flows.error} retry={() => void runs.refetch()} />
      {!runs.data && !runs.error && <Loading what="runs" />}
      {runs.data && (
        <>
          <section className="card" aria-labelledby="flow-chart-h">
            <h2 id="flow-chart-h">Runs over time</h2>
            <RunChart
              runs={items}
              variant="dots"
              label={`Duration of the latest runs of ${name} over their start time, coloured by state`}
              now={now}
              height={170}
            />
          </section>
          <div className="grid-2">
            {latest ? <LatestMetrics run={latest} now={now} /> : null}
            <FlowDeployments flow={name} />
          </div>
          <section className="card" aria-labelledby="flow-runs-h">
            <h2 id="flow-runs-h">
              Latest runs{" "}
              <Link className="small" to={href("/runs", { flow: name })}>
                all runs of {name}
              </Link>
            </h2>
            <CompareBar selection={selection} />
            <RunTable
              runs={items.slice(0, LISTED)}
              now={now}
              caption={`Runs of ${name}`}
              showFlow={false}
              selection={selection}
            />
          </section>
        </>
      )}
    </div>
  );
}
