import { useQueries } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { useState } from "react";

import { metricsQuery, runQuery } from "../api/queries.js";
import type { MetricSeries, Run } from "../api/types.js";
import type { MetricAxis } from "../components/metric-chart.js";
import { AxisSelect, lineColor, MetricLinesChart } from "../components/metric-chart.js";
import type { MetricLine } from "../components/metric-lines.js";
import { MAX_COMPARED } from "../components/run-selection.js";
import { StateBadge } from "../components/state-badge.js";
import { ErrorNote, Loading } from "../components/status.js";
import { formatDateTime, formatDuration, runSeconds } from "../format.js";
import { useNow } from "../hooks.js";
import { href, Link, useRoute } from "../router.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The run ids of `?runs=a,b,c`: well-formed, each once, at most {@link MAX_COMPARED}. */
function idsOf(param: string | null): { ids: string[]; dropped: string[] } {
  const all = [
    ...new Set(
      (param ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
  const ids = all.filter((id) => UUID.test(id)).slice(0, MAX_COMPARED);
  return { ids, dropped: all.filter((id) => !ids.includes(id)) };
}

const valueText = (v: unknown): string =>
  v === undefined ? "—" : typeof v === "string" ? v : JSON.stringify(v);

/** Each metric any of the runs logged, with one line per run that logged it. */
function metricLines(runs: Run[], series: (MetricSeries[] | undefined)[]): [string, MetricLine[]][] {
  const byName = new Map<string, MetricLine[]>();
  runs.forEach((run, i) => {
    const origin = Date.parse(run.startTime ?? run.createdAt);
    for (const s of series[i] ?? [])
      byName.set(s.name, [...(byName.get(s.name) ?? []), { label: run.name, points: s.points, origin }]);
  });
  return [...byName].sort(([a], [b]) => a.localeCompare(b));
}

/** Parameters (and state, start, duration) of the runs in columns; rows whose values differ are marked. */
function SideBySide({ runs }: { runs: Run[] }): ReactNode {
  const now = useNow(
    1000,
    runs.some((r) => r.endTime === null),
  );
  const keys = [...new Set(runs.flatMap((r) => Object.keys(r.parameters)))].sort();
  const facts: [string, (r: Run) => ReactNode][] = [
    ["State", (r) => <StateBadge state={r.state} />],
    ["Start", (r) => formatDateTime(r.startTime)],
    ["Duration", (r) => formatDuration(runSeconds(r, now))],
  ];
  return (
    <div className="table-wrap">
      <table className="data compare-table">
        <caption className="sr-only">Parameters of the compared runs, side by side</caption>
        <thead>
          <tr>
            <th scope="col">Parameter</th>
            {runs.map((r, i) => (
              <th scope="col" key={r.id} data-run-id={r.id}>
                <span className="swatch" style={{ background: lineColor(i) }} aria-hidden="true" />
                <Link to={`#/runs/${r.id}`}>{r.name}</Link>
                <span className="muted small"> {r.flowName}</span>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {facts.map(([label, cell]) => (
            <tr key={label} className="fact">
              <th scope="row">{label}</th>
              {runs.map((r) => (
                <td key={r.id}>{cell(r)}</td>
              ))}
            </tr>
          ))}
          {keys.map((k) => {
            const values = runs.map((r) => valueText(r.parameters[k]));
            const differs = new Set(values).size > 1;
            return (
              <tr key={k} data-param={k} className={differs ? "differs" : undefined}>
                <th scope="row">
                  {k}
                  {differs && <span className="sr-only"> (differs)</span>}
                </th>
                {values.map((v, i) => (
                  <td key={runs[i]!.id}>
                    <code>{v}</code>
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/**
 * Two or more runs compared (`#/compare?runs=a,b`): each metric they logged as one chart with a
 * line per run, aligned by step, by time since each run started, or by time; and their parameters
 * side by side.
 */
export function ComparePage({ theme }: { theme: string }): ReactNode {
  const { query } = useRoute();
  const { ids, dropped } = idsOf(query.get("runs"));
  const [axis, setAxis] = useState<MetricAxis>("step");
  const runs = useQueries({ queries: ids.map((id) => runQuery(id)) });
  const metrics = useQueries({ queries: ids.map((id) => metricsQuery(id)) });
  // Rebuilt only when a run or its metrics change: the page holds no clock (its table does).
  const loaded = runs.map((r) => r.data).filter((r): r is Run => r !== undefined);
  const series = runs.map((r, i) => (r.data ? metrics[i]?.data : undefined)).filter((_, i) => runs[i]?.data);
  const charts = metricLines(loaded, series);

  return (
    <div className="page compare-page">
      <header className="page-head">
        <h1>Compare runs</h1>
        <AxisSelect axis={axis} onChange={setAxis} elapsed />
      </header>
      {dropped.length > 0 && (
        <p className="error" role="alert">
          Left out {dropped.length === 1 ? "a value that is" : `${dropped.length} values that are`} not a run
          id or past the first {MAX_COMPARED}: {dropped.join(", ")}
        </p>
      )}
      {ids.length < 2 && (
        <p className="empty">
          Pick two or more runs to compare: tick them on the <Link to="#/runs">runs list</Link> or on a{" "}
          <Link to="#/flows">flow's page</Link>, then press Compare.
        </p>
      )}
      {runs.map((r, i) =>
        r.error ? <ErrorNote key={ids[i]} error={new Error(`Run ${ids[i]}: ${r.error.message}`)} /> : null,
      )}
      {runs.some((r) => r.isPending) && <Loading what="runs" />}
      {loaded.length > 0 && (
        <section className="card" aria-labelledby="compare-params-h">
          <h2 id="compare-params-h">Parameters</h2>
          <SideBySide runs={loaded} />
        </section>
      )}
      {loaded.length > 0 && metrics.every((m) => !m.isPending) && charts.length === 0 && (
        <p className="empty">None of these runs has logged a metric.</p>
      )}
      <div className="metric-grid">
        {charts.map(([name, lines]) => (
          <MetricLinesChart key={name} title={name} lines={lines} axis={axis} theme={theme} />
        ))}
      </div>
      <p>
        <Link to={href("/runs")}>← Runs</Link>
      </p>
    </div>
  );
}
