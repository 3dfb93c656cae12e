import type uPlot from "uplot";

import type { MetricSeries } from "../api/types.js";

/** What a metric chart's x is: the step, the time, or the time since the line's `origin`. */
export type MetricAxis = "step" | "time" | "elapsed";

/** One line of a metric chart: a run's series of a metric, under a label. */
export interface MetricLine {
  label: string;
  points: MetricSeries["points"];
  /** Epoch ms the `elapsed` axis counts from (the run's start), so that runs started apart line up. */
  origin?: number;
}

/** x of a point: its step (its index without one), its time in seconds, or seconds since `origin`. */
function xOf(p: MetricSeries["points"][number], i: number, axis: MetricAxis, origin: number): number {
  if (axis === "step") return p.step ?? i;
  return (Date.parse(p.timestamp) - (axis === "elapsed" ? origin : 0)) / 1000;
}

/**
 * Lines as uPlot's aligned data: the sorted union of every line's x, and each line's y at each x
 * (`null` where it has no point, so that runs logged at different steps or times share one chart).
 * @example alignLines([{ label: "a", points }], "step"); // [[0, 1, 2], [0.4, 0.5, 0.55]]
 */
export function alignLines(lines: readonly MetricLine[], axis: MetricAxis): uPlot.AlignedData {
  const perLine = lines.map((l) => {
    const byX = new Map<number, number>();
    l.points.forEach((p, i) => {
      const x = xOf(p, i, axis, l.origin ?? 0);
      if (Number.isFinite(x)) byX.set(x, p.value);
    });
    return byX;
  });
  const xs = [...new Set(perLine.flatMap((m) => [...m.keys()]))].sort((a, b) => a - b);
  return [xs, ...perLine.map((m) => xs.map((x) => m.get(x) ?? null))];
}

/**
 * A line's min, max and last value (the last logged, by step or arrival), or undefined when it has
 * no finite value.
 * @example lineStats({ label: "loss", points }); // { min: 0.1, max: 0.9, last: 0.12 }
 */
export function lineStats(line: MetricLine): { min: number; max: number; last: number } | undefined {
  let min = Infinity;
  let max = -Infinity;
  let last: number | undefined;
  for (const p of line.points) {
    if (!Number.isFinite(p.value)) continue;
    if (p.value < min) min = p.value;
    if (p.value > max) max = p.value;
    last = p.value;
  }
  return last === undefined ? undefined : { min, max, last };
}
