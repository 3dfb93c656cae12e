import "uplot/dist/uPlot.min.css";

import type { ReactNode } from "react";
import { useEffect, useEffectEvent, useMemo, useRef } from "react";
import uPlot from "uplot";

import type { MetricSeries } from "../api/types.js";
import { formatNumber } from "../format.js";

export type MetricAxis = "step" | "time";

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

/** x (step, or time in seconds) and y arrays, sorted by x. */
function toData(series: MetricSeries, axis: MetricAxis): uPlot.AlignedData {
  const pts = series.points
    .map((p, i) => ({ x: axis === "step" ? (p.step ?? i) : Date.parse(p.timestamp) / 1000, y: p.value }))
    .filter((p) => Number.isFinite(p.x))
    .sort((a, b) => a.x - b.x);
  return [pts.map((p) => p.x), pts.map((p) => p.y)];
}

/**
 * One logged metric as a line chart (uPlot), against step or time; new points are appended
 * in place without re-creating the chart.
 * @example <MetricChart series={{ name: "precision", points }} axis="step" theme="dark" />
 */
export function MetricChart({
  series,
  axis,
  theme,
}: {
  series: MetricSeries;
  axis: MetricAxis;
  theme: string;
}): ReactNode {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const data = useMemo(() => toData(series, axis), [series, axis]);
  const last = series.points.at(-1);
  // The plot is created with the points of the moment; later points go through setData below.
  const currentData = useEffectEvent(() => data);

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const text = cssVar("--text-muted", "#9aa4b2");
    const grid = cssVar("--border", "#2a3140");
    const line = cssVar("--accent", "#4f8cff");
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height: 220,
      legend: { show: false },
      cursor: { drag: { x: true, y: false } },
      scales: { x: { time: axis === "time" } },
      axes: [
        {
          stroke: text,
          grid: { stroke: grid, width: 1 },
          ticks: { stroke: grid },
          label: axis === "step" ? "step" : undefined,
        },
        { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, size: 60 },
      ],
      series: [
        {},
        { label: series.name, stroke: line, width: 2, points: { show: true, size: 5, fill: line } },
      ],
    };
    const u = new uPlot(opts, currentData(), el);
    plot.current = u;
    const ro = new ResizeObserver(() => u.setSize({ width: Math.max(200, el.clientWidth), height: 220 }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
    // Re-created only when the axis kind, theme or metric changes.
  }, [axis, theme, series.name]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  const values = series.points.map((p) => p.value).filter(Number.isFinite);
  return (
    <figure className="card metric" data-metric={series.name} data-points={series.points.length}>
      <figcaption>
        <h3>{series.name}</h3>
        <span className="muted">
          {series.points.length} points
          {last ? ` · last ${formatNumber(last.value, 4)}` : ""}
          {values.length
            ? ` · min ${formatNumber(Math.min(...values), 4)} · max ${formatNumber(Math.max(...values), 4)}`
            : ""}
        </span>
      </figcaption>
      <div
        ref={host}
        className="metric-plot"
        role="img"
        aria-label={`${series.name} against ${axis}: ${series.points.length} points${last ? `, last value ${last.value}` : ""}`}
      />
    </figure>
  );
}
