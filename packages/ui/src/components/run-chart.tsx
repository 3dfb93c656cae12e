import type { KeyboardEvent, ReactNode } from "react";
import { useCallback, useMemo, useRef, useState } from "react";

import type { Run } from "../api/types.js";
import { formatDateTime, formatDuration, formatShortDateTime, runSeconds } from "../format.js";
import { navigate } from "../router.js";
import { ChartAxes } from "./chart-axes.js";
import { stateColor } from "./state-badge.js";

export interface RunChartProps {
  runs: Run[];
  /** `bars`: one bar per run (the dashboard's activity chart); `dots`: duration-over-time scatter. */
  variant: "bars" | "dots";
  label: string;
  now: number;
  height?: number;
  /** How many runs match in all, e.g. "10,000+", when the chart shows only the newest of them. */
  total?: string;
}

const PAD = { top: 12, right: 12, bottom: 26, left: 64 };

/** Runs that have not started (Scheduled, Late, Pending) sit at their slot as short outlined bars. */
const WAITING_H = 8;

/** Where a run sits on the time axis: its start, else the slot it is scheduled for, else its creation. */
const chartTime = (run: Run): string => run.startTime ?? run.scheduledFor ?? run.createdAt;

function niceTicks(max: number): number[] {
  if (max <= 0) return [0];
  const steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400];
  const step = steps.find((s) => max / s <= 4) ?? Math.ceil(max / 4);
  // The last tick is the top of the scale, so it must reach the longest run.
  const ticks: number[] = [0];
  // (A run a hair longer than a round tick, e.g. 30m 00.2s, does not earn another one.)
  while (ticks[ticks.length - 1]! < max * 0.995) ticks.push(ticks.length * step);
  return ticks;
}

/** The rendered width of an element, kept up to date. */
export function useWidth(): [(el: HTMLElement | null) => void, number] {
  const [width, setWidth] = useState(1000);
  const observer = useRef<ResizeObserver | null>(null);
  const ref = useCallback((el: HTMLElement | null) => {
    observer.current?.disconnect();
    if (!el) return;
    setWidth(el.clientWidth || 1000);
    observer.current = new ResizeObserver(() => setWidth(el.clientWidth || 1000));
    observer.current.observe(el);
  }, []);
  return [ref, width];
}

/**
 * Runs by start time, height = duration, colour = state. `bars` gives every run its own slot in
 * start order (so short runs next to long ones stay visible) on a square-root duration scale;
 * `dots` places runs on a true time axis with a linear scale. Plain SVG so every mark is a
 * focusable link with an accessible name (a canvas chart would hide them from screen readers).
 */
export function RunChart({ runs, variant, label, now, height = 180, total }: RunChartProps): ReactNode {
  const [hover, setHover] = useState<string | null>(null);
  const [active, setActive] = useState(0);
  const [measure, W] = useWidth();
  const points = useMemo(
    () =>
      runs
        .map((run) => ({ run, t: Date.parse(chartTime(run)), d: runSeconds(run, now) ?? 0 }))
        .filter((p) => !Number.isNaN(p.t))
        .sort((a, b) => a.t - b.t),
    [runs, now],
  );
  if (points.length === 0) return <p className="empty">No runs in this time range.</p>;

  const t0 = points[0]!.t;
  const t1 = Math.max(points[points.length - 1]!.t, t0 + 1000);
  const span = t1 - t0;
  const maxD = Math.max(...points.map((p) => p.d), 1);
  const ticks = niceTicks(maxD);
  const top = ticks[ticks.length - 1]! || 1;
  const iw = W - PAD.left - PAD.right;
  const ih = height - PAD.top - PAD.bottom;
  const bars = variant === "bars";
  const slot = iw / points.length;
  const x = (t: number, i: number): number =>
    bars ? PAD.left + slot * (i + 0.5) : PAD.left + ((t - t0) / span) * iw * 0.98 + iw * 0.01;
  const scale = (d: number): number => (bars ? Math.sqrt(Math.min(d, top) / top) : Math.min(d, top) / top);
  const y = (d: number): number => PAD.top + ih - scale(d) * ih;
  const barW = Math.max(2, Math.min(28, slot * 0.7));
  // Drop tick labels that would overlap (the square-root scale crowds the small ones).
  const shownTicks = ticks.filter(
    (t, i) => i === ticks.length - 1 || y(t) - y(ticks[ticks.length - 1]!) > 14,
  );
  const spaced = shownTicks.filter((t, i) => i === 0 || y(shownTicks[i - 1]!) - y(t) >= 14);
  const hovered = points.find((p) => p.run.id === hover);
  // The two ends of the time axis, short enough not to run into each other on a phone.
  const axisTime = (t: number): string =>
    iw < 420 ? formatShortDateTime(t) : formatDateTime(new Date(t).toISOString());

  return (
    <figure className="run-chart" aria-label={label} ref={measure}>
      <svg viewBox={`0 0 ${W} ${height}`} width={W} height={height} role="group" aria-label={label}>
        <ChartAxes
          width={W}
          height={height}
          pad={PAD}
          ticks={spaced.map((t) => ({ value: t, label: formatDuration(t).replace(/ 00[sm]$/, "") }))}
          y={y}
          start={axisTime(t0)}
          end={axisTime(t1)}
        />
        {points.map(({ run, t, d }, i) => {
          const name = `${run.flowName} › ${run.name}: ${run.state}, ${formatDuration(d)}`;
          const common = {
            className: "mark",
            fill: stateColor(run.state),
            // One tab stop for the whole chart; arrow keys move between runs (roving tabindex).
            tabIndex: i === Math.min(active, points.length - 1) ? 0 : -1,
            role: "link",
            "aria-label": name,
            "data-state": run.state,
            "data-waiting": run.startTime ? undefined : true,
            onClick: () => navigate(`#/runs/${run.id}`),
            onKeyDown: (e: KeyboardEvent<SVGElement>) => {
              if (e.key === "Enter") navigate(`#/runs/${run.id}`);
              const step = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
              const marks = e.currentTarget.parentElement?.querySelectorAll<SVGElement>(".mark");
              const next = marks?.[i + step];
              if (step !== 0 && next) {
                e.preventDefault();
                setActive(i + step);
                next.focus();
              }
            },
            onMouseEnter: () => setHover(run.id),
            onMouseLeave: () => setHover(null),
            onFocus: () => setHover(run.id),
            onBlur: () => setHover(null),
          };
          return variant === "bars" ? (
            <rect
              key={run.id}
              {...common}
              x={x(t, i) - barW / 2}
              y={Math.min(y(d), PAD.top + ih - (run.startTime ? 2 : WAITING_H))}
              width={barW}
              height={Math.max(run.startTime ? 2 : WAITING_H, PAD.top + ih - y(d))}
              rx={2}
            />
          ) : (
            <circle key={run.id} {...common} cx={x(t, i)} cy={y(d)} r={5} />
          );
        })}
      </svg>
      <figcaption className="chart-caption" aria-live="polite">
        {hovered
          ? `${hovered.run.flowName} › ${hovered.run.name} · ${hovered.run.state} · ${formatDuration(hovered.d)} · ${formatDateTime(chartTime(hovered.run))}`
          : `${total !== undefined ? `The newest ${points.length} of ${total} runs` : `${points.length} runs`} · height = duration${bars ? " (square-root scale)" : ""} · colour = state`}
      </figcaption>
    </figure>
  );
}
