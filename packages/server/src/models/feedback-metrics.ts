import type { FeedbackMetrics } from "@weir/protocol";

/** A labelled prediction as the live accuracy reads it (labels as JSON text). */
export interface LabelledPrediction {
  version: number;
  label: string;
  true_label: string | null;
  labelled_at: number | null;
}

type Score = FeedbackMetrics["byVersion"][string];

/** Counts of one group of labelled predictions, per class (JSON text of the label). */
class Tally {
  count = 0;
  correct = 0;
  readonly predicted = new Map<string, number>();
  readonly actual = new Map<string, number>();
  readonly hits = new Map<string, number>();

  add(predicted: string, actual: string): void {
    this.count++;
    this.predicted.set(predicted, (this.predicted.get(predicted) ?? 0) + 1);
    this.actual.set(actual, (this.actual.get(actual) ?? 0) + 1);
    if (predicted === actual) {
      this.correct++;
      this.hits.set(actual, (this.hits.get(actual) ?? 0) + 1);
    }
  }

  /** Precision and recall of the classes `positive` picks (all seen classes: macro average). */
  score(positive: ((label: string) => boolean) | undefined): Score {
    const classes = [...new Set([...this.predicted.keys(), ...this.actual.keys()])].filter(
      (c) => c !== "null" && (positive === undefined || positive(c)),
    );
    const mean = (values: number[]) =>
      values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
    const precision: number[] = [];
    const recall: number[] = [];
    for (const c of classes) {
      const hits = this.hits.get(c) ?? 0;
      const predicted = this.predicted.get(c) ?? 0;
      const actual = this.actual.get(c) ?? 0;
      if (predicted > 0) precision.push(hits / predicted);
      if (actual > 0) recall.push(hits / actual);
    }
    return {
      accuracy: this.count === 0 ? null : this.correct / this.count,
      precision: mean(precision),
      recall: mean(recall),
      count: this.count,
    };
  }
}

/** Whether a label (JSON text) is the class the `positive` query names: `positive=0` picks `0` and `"0"`. */
function positiveMatcher(positive: string | undefined): ((label: string) => boolean) | undefined {
  if (positive === undefined) return undefined;
  return (label) => String(JSON.parse(label)) === positive;
}

/**
 * Scores the served predictions against their late labels: accuracy, precision and recall per
 * time bucket (by label time; buckets without labels left out) and per version. Labels compare
 * as JSON: `1` and `"1"` are different classes, as they are to the model.
 *
 * @example feedbackMetrics(rows, now - 3_600_000, 60_000, undefined).points[0].accuracy;
 */
export function feedbackMetrics(
  rows: readonly LabelledPrediction[],
  since: number,
  windowMs: number,
  bucketMs: number,
  positive: string | undefined,
): FeedbackMetrics {
  const buckets = new Map<number, Tally>();
  const versions = new Map<number, Tally>();
  for (const row of rows) {
    if (row.true_label === null || row.labelled_at === null) continue;
    const bucket = since + Math.floor((row.labelled_at - since) / bucketMs) * bucketMs;
    let tally = buckets.get(bucket);
    if (tally === undefined) buckets.set(bucket, (tally = new Tally()));
    tally.add(row.label, row.true_label);
    let byVersion = versions.get(row.version);
    if (byVersion === undefined) versions.set(row.version, (byVersion = new Tally()));
    byVersion.add(row.label, row.true_label);
  }
  const matcher = positiveMatcher(positive);
  return {
    windowMs,
    bucketMs,
    points: [...buckets.entries()]
      .sort(([a], [b]) => a - b)
      .map(([time, tally]) => ({ time: new Date(time).toISOString(), ...tally.score(matcher) })),
    byVersion: Object.fromEntries(
      [...versions.entries()]
        .sort(([a], [b]) => a - b)
        .map(([v, tally]) => [String(v), tally.score(matcher)]),
    ),
  };
}
