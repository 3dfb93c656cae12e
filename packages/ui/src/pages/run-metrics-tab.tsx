import type { ReactNode } from "react";
import { useRef, useState } from "react";

import { api } from "../api/client.js";
import { useLive } from "../api/live.js";
import type { MetricEvent, MetricSeries, Run } from "../api/types.js";
import type { MetricAxis } from "../components/metric-chart.js";
import { MetricChart } from "../components/metric-chart.js";
import { ErrorNote, Loading } from "../components/status.js";
import { useAsync } from "../hooks.js";

/** Adds a pushed point to its series (creating the series), ignoring one already there. */
function addPoint(series: MetricSeries[], p: MetricEvent): MetricSeries[] {
  const point = { step: p.step, value: p.value, timestamp: p.timestamp };
  const i = series.findIndex((s) => s.name === p.name);
  if (i < 0)
    return [...series, { name: p.name, points: [point] }].sort((a, b) => a.name.localeCompare(b.name));
  const current = series[i]!;
  const same = (q: MetricSeries["points"][number]): boolean =>
    q.step === point.step && q.value === point.value && q.timestamp === point.timestamp;
  if (current.points.some(same)) return series;
  const next = series.slice();
  next[i] = { ...current, points: [...current.points, point] };
  return next;
}

/** One line chart per logged metric; points pushed by the server are appended live. */
export function RunMetricsTab({ run, theme }: { run: Run; theme: string }): ReactNode {
  const [axis, setAxis] = useState<MetricAxis>("step");
  // Points pushed while the series are loading are merged into them once they arrive.
  const early = useRef<MetricEvent[] | null>(null);
  const metrics = useAsync(
    async (signal) => {
      early.current = [];
      let series = await api.metrics(run.id, signal);
      for (const p of early.current ?? []) series = addPoint(series, p);
      early.current = null;
      return series;
    },
    [run.id],
  );

  useLive(
    {
      metric: (p) => {
        if (p.runId !== run.id) return;
        if (early.current) early.current.push(p);
        else metrics.setData((old) => old && addPoint(old, p));
      },
      reconnect: metrics.reload,
    },
    run.id,
  );

  return (
    <div>
      <div className="toolbar">
        <label className="field">
          <span>X axis</span>
          <select value={axis} onChange={(e) => setAxis(e.target.value as MetricAxis)}>
            <option value="step">Step</option>
            <option value="time">Time</option>
          </select>
        </label>
      </div>
      <ErrorNote error={metrics.error} retry={metrics.reload} />
      {metrics.loading && !metrics.data && <Loading what="metrics" />}
      {metrics.data && metrics.data.length === 0 && (
        <p className="empty">This run has logged no metrics yet.</p>
      )}
      <div className="metric-grid">
        {metrics.data?.map((s) => (
          <MetricChart key={s.name} series={s} axis={axis} theme={theme} />
        ))}
      </div>
    </div>
  );
}
