import { describe, expect, it } from "vitest";

import { feedbackMetrics } from "./feedback-metrics.js";
import { ModelStatsBook } from "./model-stats.js";

const row = (version: number, predicted: unknown, actual: unknown, at: number) => ({
  version,
  label: JSON.stringify(predicted),
  true_label: JSON.stringify(actual),
  labelled_at: at,
});

describe("feedbackMetrics", () => {
  it("scores accuracy, precision and recall per bucket and per version", () => {
    // Bucket 0: 3 of 4 right; class 0 predicted twice (1 right), 1 predicted twice (both right).
    const rows = [
      row(1, 0, 0, 1_000),
      row(1, 0, 1, 2_000),
      row(1, 1, 1, 3_000),
      row(2, 1, 1, 4_000),
      row(2, 1, 0, 61_000), // bucket 1: wrong
      row(2, null, 1, 62_000), // a prediction made before the model learned anything
    ];
    const metrics = feedbackMetrics(rows, 0, 120_000, 60_000, undefined);
    expect(metrics.points).toEqual([
      {
        time: new Date(0).toISOString(),
        accuracy: 0.75,
        precision: (0.5 + 1) / 2,
        recall: (1 + 2 / 3) / 2,
        count: 4,
      },
      { time: new Date(60_000).toISOString(), accuracy: 0, precision: 0, recall: 0, count: 2 },
    ]);
    expect(metrics.byVersion["1"]).toEqual({ accuracy: 2 / 3, precision: 0.75, recall: 0.75, count: 3 });
    const positive = feedbackMetrics(rows, 0, 120_000, 60_000, "0");
    expect(positive.points[0]).toMatchObject({ precision: 0.5, recall: 1 });
  });

  it('keeps 1 and "1" apart, as the model does', () => {
    const metrics = feedbackMetrics([row(1, 1, "1", 10)], 0, 60_000, 60_000, undefined);
    expect(metrics.points[0]).toMatchObject({ accuracy: 0, count: 1 });
  });
});

describe("ModelStatsBook", () => {
  it("gives predictions per second and latency percentiles over the last minute", () => {
    const stats = new ModelStatsBook();
    const t0 = 1_000_000;
    for (let s = 0; s < 10; s++)
      for (let i = 0; i < 100; i++) stats.recordRequest("m", 2, i === 99 ? 50 : 1, t0 + s * 1000);
    stats.recordLabels("m", 4, 3, t0);
    const now = stats.get("m", t0 + 9_500);
    expect(now.predictionsPerSecond).toBe(200);
    expect(now.p50Ms).toBeCloseTo(1, 1);
    expect(now.p99Ms).toBeCloseTo(1, 1);
    expect(now).toMatchObject({ predictions: 2000, labels: 4, accuracy: 0.75 });
    // A minute later the window is empty; the totals remain.
    expect(stats.get("m", t0 + 120_000)).toMatchObject({
      predictionsPerSecond: 0,
      p50Ms: null,
      predictions: 2000,
    });
    expect(stats.get("unknown")).toMatchObject({ predictions: 0, p99Ms: null });
  });
});
