import type { KeyboardEvent, ReactNode } from "react";
import { useState } from "react";

import type { Activity, StateType } from "../api/types.js";
import { STATES } from "../api/types.js";
import { formatDuration, formatNumber, formatShortDateTime } from "../format.js";
import { ChartAxes } from "./chart-axes.js";
import { useWidth } from "./run-chart.js";
import { stateColor } from "./state-badge.js";

const PAD = { top: 10, right: 8, bottom: 24, left: 40 };

type Bucket = Activity["buckets"][number];

const bucketTotal = (b: Bucket): number => Object.values(b.counts).reduce((a, n) => a + n, 0);

/** Round count ticks from 0 to at least `max`, at most five of them. */
function countTicks(max: number): number[] {
  if (max <= 0) return [0, 1];
  const raw = max / 4;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const ticks = [0];
  while (ticks[ticks.length - 1]! < max) ticks.push(Math.max(1, Math.round(ticks.length * step)));
  return ticks;
}

/** A bucket's length in words: `15 min`, `2 h`, else as a duration. */
function bucketSize(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return formatDuration(ms / 1000);
}

/** `Dec 04, 14:00 – 14:15 · 12 runs: 10 Completed, 2 Failed` */
function describeBucket(b: Bucket, bucketMs: number): string {
  const start = Date.parse(b.start);
  const parts = STATES.filter((s) => (b.counts[s] ?? 0) > 0).map((s) => `${b.counts[s]} ${s}`);
  const total = bucketTotal(b);
  return `${formatShortDateTime(start)} – ${formatShortDateTime(start + bucketMs)} · ${formatNumber(total)} run${total === 1 ? "" : "s"}${parts.length ? `: ${parts.join(", ")}` : ""}`;
}

/**
 * Runs per time bucket as stacked bars, one colour per state. The server counts the buckets, so a
 * day of a hundred thousand runs draws the whole day as quickly as a day of ten. The chart is one
 * tab stop; arrow keys move between buckets and each says its counts.
 * @example <ActivityChart activity={await api.activity({ buckets: 96 })} label="Flow runs per 15 minutes" />
 */
export function ActivityChart({
  activity,
  label,
  height = 180,
}: {
  activity: Activity;
  label: string;
  height?: number;
}): ReactNode {
  const [measure, W] = useWidth();
  const [active, setActive] = useState<number | null>(null);
  const { buckets, bucketMs } = activity;
  const totals = buckets.map(bucketTotal);
  const ticks = countTicks(Math.max(0, ...totals));
  const top = ticks[ticks.length - 1]!;
  const iw = Math.max(10, W - PAD.left - PAD.right);
  const ih = height - PAD.top - PAD.bottom;
  const slot = iw / Math.max(1, buckets.length);
  const barW = Math.max(1, slot - Math.min(2, slot * 0.25));
  const y = (n: number): number => PAD.top + ih - (n / top) * ih;
  const present = STATES.filter((s) => buckets.some((b) => (b.counts[s] ?? 0) > 0));
  const focusIndex =
    active ??
    Math.max(
      0,
      totals.findLastIndex((n) => n > 0),
    );
  const shown = active === null ? undefined : buckets[active];

  const onKey = (e: KeyboardEvent<SVGElement>): void => {
    const step = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
    let next = focusIndex + step;
    if (e.key === "Home") next = 0;
    if (e.key === "End") next = buckets.length - 1;
    if (next === focusIndex || next < 0 || next >= buckets.length) return;
    e.preventDefault();
    setActive(next);
    e.currentTarget.parentElement?.querySelectorAll<SVGElement>(".bucket")[next]?.focus();
  };

  if (activity.total === 0) return <p className="empty">No runs in this time range.</p>;
  return (
    <figure
      className="run-chart activity-chart"
      ref={measure}
      data-from={activity.from}
      data-to={activity.to}
      data-bucket-ms={bucketMs}
      data-total={activity.total}
    >
      <svg viewBox={`0 0 ${W} ${height}`} width={W} height={height} role="group" aria-label={label}>
        <ChartAxes
          width={W}
          height={height}
          pad={PAD}
          ticks={ticks.map((t) => ({ value: t, label: formatNumber(t) }))}
          y={y}
          start={formatShortDateTime(Date.parse(activity.from))}
          end={formatShortDateTime(Date.parse(activity.to))}
        />
        {buckets.map((b, i) => {
          const x = PAD.left + i * slot;
          let below = 0;
          return (
            <g
              key={b.start}
              className="bucket"
              data-start={b.start}
              data-total={totals[i]}
              tabIndex={i === focusIndex ? 0 : -1}
              role="img"
              aria-label={describeBucket(b, bucketMs)}
              onKeyDown={onKey}
              onFocus={() => setActive(i)}
              onBlur={() => setActive(null)}
              onMouseEnter={() => setActive(i)}
              onMouseLeave={() => setActive(null)}
            >
              <rect className="bucket-hit" x={x} y={PAD.top} width={slot} height={ih} />
              {present.map((s: StateType) => {
                const n = b.counts[s] ?? 0;
                if (n === 0) return null;
                const y0 = y(below);
                below += n;
                return (
                  <rect
                    key={s}
                    className="mark"
                    data-state={s}
                    x={x + (slot - barW) / 2}
                    y={y(below)}
                    width={barW}
                    height={Math.max(1, y0 - y(below))}
                    fill={stateColor(s)}
                  />
                );
              })}
            </g>
          );
        })}
      </svg>
      <figcaption className="chart-caption" aria-live="polite">
        {shown
          ? describeBucket(shown, bucketMs)
          : `${formatNumber(activity.total)} runs · one bar per ${bucketSize(bucketMs)} · colour = state`}
      </figcaption>
      <ul className="chart-legend" aria-label="States">
        {present.map((s) => (
          <li key={s}>
            <span className="swatch" style={{ background: stateColor(s) }} aria-hidden="true" />
            {s}
          </li>
        ))}
      </ul>
    </figure>
  );
}
