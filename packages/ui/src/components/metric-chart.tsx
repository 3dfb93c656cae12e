import "uplot/dist/uPlot.min.css";

import type { ReactNode } from "react";
import { useEffect, useEffectEvent, useMemo, useRef, useState } from "react";
import uPlot from "uplot";

import type { MetricSeries } from "../api/types.js";
import { formatDuration, formatNumber } from "../format.js";
import { alignLines, lineStats } from "./metric-lines.js";
import type { MetricAxis, MetricLine } from "./metric-lines.js";

export type { MetricAxis };

/** Line colours after the first (the theme's accent); readable on both themes' panels. */
const PALETTE = ["#f5a524", "#2fca72", "#e5484d", "#a076f9", "#12a5b8", "#e86bb0", "#8f9bb3"];

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

/** The colour of line `i`: the accent first, then the palette. */
export function lineColor(i: number): string {
  return i === 0 ? cssVar("--accent", "#4f8cff") : PALETTE[(i - 1) % PALETTE.length]!;
}

const fmt = (v: number | null | undefined): string =>
  v === null || v === undefined ? "—" : formatNumber(v, 4);

/** The table under a chart: each line's value under the cursor, and its min, max and last. */
function Legend({
  lines,
  cursor,
  colors,
}: {
  lines: MetricLine[];
  cursor: { x: string; values: (number | null)[] } | null;
  colors: string[];
}): ReactNode {
  return (
    <table className="metric-legend">
      <thead>
        <tr>
          <th scope="col">{lines.length > 1 ? "Series" : <span className="sr-only">Series</span>}</th>
          <th scope="col" className="num" data-testid="cursor-x">
            {cursor ? cursor.x : "Cursor"}
          </th>
          <th scope="col" className="num">
            Min
          </th>
          <th scope="col" className="num">
            Max
          </th>
          <th scope="col" className="num">
            Last
          </th>
        </tr>
      </thead>
      <tbody>
        {lines.map((line, i) => {
          const s = lineStats(line);
          return (
            <tr key={line.label} data-series={line.label}>
              <th scope="row">
                <span className="swatch" style={{ background: colors[i] }} aria-hidden="true" />
                {line.label}
              </th>
              <td className="num" data-stat="cursor">
                {cursor ? fmt(cursor.values[i]) : "—"}
              </td>
              <td className="num" data-stat="min">
                {fmt(s?.min)}
              </td>
              <td className="num" data-stat="max">
                {fmt(s?.max)}
              </td>
              <td className="num" data-stat="last">
                {fmt(s?.last)}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/**
 * A logged metric as a line chart (uPlot) against step or time: one line, or one per run when
 * runs are compared. Under it, each line's value under the cursor and its min, max and last. New
 * points are added in place; a zoom (drag across the plot; double-click or "Reset zoom" undoes it)
 * is kept when they arrive.
 * @example <MetricLinesChart title="precision" lines={[{ label: "run a", points }, { label: "run b", points: others }]} axis="step" theme="dark" />
 */
export function MetricLinesChart({
  title,
  lines,
  axis,
  theme,
}: {
  title: string;
  lines: MetricLine[];
  axis: MetricAxis;
  theme: string;
}): ReactNode {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  /** The x range the user zoomed to, or null; changes we make ourselves do not count. */
  const zoom = useRef<{ min: number; max: number } | null>(null);
  const ours = useRef(false);
  const [zoomed, setZoomed] = useState(false);
  const [cursor, setCursor] = useState<{ x: string; values: (number | null)[] } | null>(null);
  const data = useMemo(() => alignLines(lines, axis), [lines, axis]);
  const points = lines.reduce((n, l) => n + l.points.length, 0);
  const labels = lines.map((l) => l.label).join("\u0000");
  // Read from the theme's CSS variables at each render; the plot is re-created when they change.
  const colorKey = lines.map((_, i) => lineColor(i)).join("|");
  const colors = useMemo(() => colorKey.split("|"), [colorKey]);
  // The plot is created with the points of the moment; later points go through setData below.
  const currentData = useEffectEvent(() => data);
  const xText = useEffectEvent((x: number) =>
    axis === "step"
      ? `step ${formatNumber(x)}`
      : axis === "elapsed"
        ? `${formatDuration(x)} in`
        : new Date(x * 1000).toLocaleTimeString(),
  );

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const text = cssVar("--text-muted", "#9aa4b2");
    const grid = cssVar("--border", "#2a3140");
    const many = colors.length > 1;
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
          label: axis === "step" ? "step" : axis === "elapsed" ? "seconds since start" : undefined,
        },
        { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, size: 60 },
      ],
      series: [
        {},
        ...colors.map((c, i) => ({
          label: labels.split("\u0000")[i],
          stroke: c,
          width: 2,
          spanGaps: true,
          points: { show: !many, size: 5, fill: c },
        })),
      ],
      hooks: {
        setScale: [
          (u, key) => {
            if (key !== "x" || ours.current) return;
            const xs = u.data[0];
            const scale: uPlot.Scale | undefined = u.scales["x"];
            const min = scale?.min ?? null;
            const max = scale?.max ?? null;
            const whole = min === null || max === null || (min <= (xs[0] ?? 0) && max >= (xs.at(-1) ?? 0));
            zoom.current = whole ? null : { min, max };
            setZoomed(!whole);
            host.current?.closest("figure")?.setAttribute("data-x-range", whole ? "" : `${min},${max}`);
          },
        ],
        setCursor: [
          (u) => {
            const idx = u.cursor.idx;
            if (idx === null || idx === undefined) return setCursor(null);
            const x = u.data[0][idx];
            if (x === undefined) return setCursor(null);
            setCursor({ x: xText(x), values: u.data.slice(1).map((ys) => ys[idx] ?? null) });
          },
        ],
      },
    };
    ours.current = true;
    const u = new uPlot(opts, currentData(), el);
    ours.current = false;
    plot.current = u;
    zoom.current = null;
    setZoomed(false);
    const ro = new ResizeObserver(() => u.setSize({ width: Math.max(200, el.clientWidth), height: 220 }));
    ro.observe(el);
    const leave = (): void => setCursor(null);
    u.over.addEventListener("mouseleave", leave);
    return () => {
      ro.disconnect();
      u.over.removeEventListener("mouseleave", leave);
      u.destroy();
      plot.current = null;
    };
    // Re-created only when the axis kind, theme or the set of lines changes.
  }, [axis, theme, labels, colors]);

  useEffect(() => {
    const u = plot.current;
    if (!u) return;
    ours.current = true;
    u.setData(data);
    // New points widen the data, not the view the user zoomed to.
    if (zoom.current) u.setScale("x", zoom.current);
    ours.current = false;
  }, [data]);

  const resetZoom = (): void => {
    const u = plot.current;
    const xs = u?.data[0];
    if (!u || !xs || xs.length === 0) return;
    u.setScale("x", { min: xs[0]!, max: xs.at(-1)! });
  };

  const single = lines.length === 1 ? lines[0] : undefined;
  const last = single?.points.at(-1);
  return (
    <figure className="card metric" data-metric={title} data-points={points}>
      <figcaption>
        <h3>{title}</h3>
        <span className="muted">
          {points} points{lines.length > 1 ? ` · ${lines.length} runs` : ""}
          {last ? ` · last ${fmt(last.value)}` : ""}
        </span>
        {zoomed && (
          <button type="button" className="link-button" onClick={resetZoom}>
            Reset zoom
          </button>
        )}
      </figcaption>
      <div
        ref={host}
        className="metric-plot"
        role="img"
        aria-label={`${title} against ${axis}: ${points} points${last ? `, last value ${last.value}` : ""}`}
      />
      <Legend lines={lines} cursor={cursor} colors={colors} />
    </figure>
  );
}

/**
 * One logged metric of a run as a one-line {@link MetricLinesChart}; its line changes only when
 * the series got points.
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
  const lines = useMemo(() => [{ label: series.name, points: series.points }], [series]);
  return <MetricLinesChart title={series.name} lines={lines} axis={axis} theme={theme} />;
}

/**
 * The x axis of metric charts: step or time, and with `elapsed` the time since each run started.
 * @example <AxisSelect axis={axis} onChange={setAxis} elapsed />
 */
export function AxisSelect({
  axis,
  onChange,
  elapsed = false,
}: {
  axis: MetricAxis;
  onChange: (a: MetricAxis) => void;
  elapsed?: boolean;
}): ReactNode {
  return (
    <label className="field">
      <span>X axis</span>
      <select value={axis} onChange={(e) => onChange(e.target.value as MetricAxis)}>
        <option value="step">Step</option>
        {elapsed && <option value="elapsed">Time since start</option>}
        <option value="time">Time</option>
      </select>
    </label>
  );
}
