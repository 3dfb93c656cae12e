import { describe, expect, it } from "vitest";

import { addPoints } from "./metric-series.js";
import type { MetricEvent, MetricSeries } from "./types.js";

const at = (s: number): string => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
const point = (name: string, step: number, value: number): MetricEvent => ({
  runId: "r",
  seq: step,
  name,
  step,
  value,
  timestamp: at(step),
});

describe("addPoints", () => {
  it("appends pushed points to their series and starts a series for a new metric, in name order", () => {
    const series: MetricSeries[] = [
      { name: "precision", points: [{ step: 0, value: 0.5, timestamp: at(0) }] },
    ];
    const next = addPoints(series, [
      point("recall", 0, 0.7),
      point("precision", 1, 0.6),
      point("accuracy", 0, 1),
    ]);
    expect(next.map((s) => [s.name, s.points.map((p) => p.value)])).toEqual([
      ["accuracy", [1]],
      ["precision", [0.5, 0.6]],
      ["recall", [0.7]],
    ]);
  });

  it("skips points it already holds and returns the same series when nothing is new", () => {
    const series: MetricSeries[] = [{ name: "loss", points: [{ step: 0, value: 1, timestamp: at(0) }] }];
    expect(addPoints(series, [point("loss", 0, 1)])).toBe(series);
    expect(addPoints(series, [point("loss", 1, 0.5), point("loss", 1, 0.5)])[0]!.points).toHaveLength(2);
  });

  it("keeps each series to its latest points, however long the run logs", () => {
    let series: MetricSeries[] = [];
    for (let step = 0; step < 50; step++)
      series = addPoints(series, [point("loss", step, 1 / (step + 1))], 10);
    expect(series[0]!.points.map((p) => p.step)).toEqual([40, 41, 42, 43, 44, 45, 46, 47, 48, 49]);
  });
});
