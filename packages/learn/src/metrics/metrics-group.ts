import { envelope, openState, registerCheckpointType } from "../checkpoint.js";
import type { Checkpoint } from "../checkpoint.js";
import { LearnTypeError } from "../errors.js";
import { describe } from "../internal/validate.js";
import type { Label } from "../types.js";
import { ConfusionMatrix } from "./confusion-matrix.js";
import { restoreMetricAt } from "./metric.js";
import type { Metric } from "./metric.js";

interface MetricsState {
  separator: string;
  cms: Checkpoint[];
  members: { metric: Checkpoint; cm: number | null }[];
}

/**
 * Several metrics handled as one, River's `metrics.Metrics` (what `a + b` builds in Python):
 * `update` updates each, `get` returns the values in order, `toString` joins their texts with a
 * newline.
 *
 * @example
 * ```ts
 * const cm = new ConfusionMatrix({ classes: [0, 1] });
 * const pr = new Metrics([new Precision({ cm, posVal: 0 }), new Recall({ cm, posVal: 0 })]);
 * cm.update(0, 0);
 * pr.get(); // [1, 1]
 * String(pr); // "Precision: 100.00%\nRecall: 100.00%"
 * ```
 */
export class Metrics implements Metric<Label, Label, number[]> {
  readonly metrics: Metric[];
  readonly separator: string;
  readonly biggerIsBetter = true;

  constructor(metrics: readonly Metric[], separator = "\n") {
    const given: unknown = metrics;
    if (!Array.isArray(given)) {
      throw new LearnTypeError(
        `Argument "metrics" of Metrics must be an array of metrics; got ${describe(given)}.`,
      );
    }
    metrics.forEach((m: unknown, i) => {
      if (
        typeof m !== "object" ||
        m === null ||
        typeof (m as Metric).update !== "function" ||
        typeof (m as Metric).get !== "function"
      ) {
        throw new LearnTypeError(
          `Argument "metrics[${i}]" of Metrics must be a metric (update, revert, get); got ${describe(m)}.`,
        );
      }
    });
    this.metrics = Array.from(metrics);
    this.separator = separator;
  }

  get requiresLabels(): boolean {
    return this.metrics.every((m) => m.requiresLabels);
  }

  /** Adds a metric (Python's `+`); returns `this`. */
  add(metric: Metric): this {
    this.metrics.push(metric);
    return this;
  }

  update(yTrue: Label, yPred: Label, weight = 1.0): this {
    for (const m of this.metrics) m.update(yTrue, yPred, weight);
    return this;
  }

  revert(yTrue: Label, yPred: Label, weight = 1.0): this {
    for (const m of this.metrics) m.revert(yTrue, yPred, weight);
    return this;
  }

  get(): number[] {
    return this.metrics.map((m) => m.get());
  }

  toString(): string {
    return this.metrics.map((m) => m.toString()).join(this.separator);
  }

  /** Saves every member; members that shared a confusion matrix share it again once restored. */
  toJSON(): Checkpoint<MetricsState> {
    const cms: ConfusionMatrix[] = [];
    const members = this.metrics.map((m) => {
      const json = m.toJSON();
      const cm = (m as { cm?: unknown }).cm;
      if (!(cm instanceof ConfusionMatrix)) return { metric: json, cm: null };
      let i = cms.indexOf(cm);
      if (i < 0) i = cms.push(cm) - 1;
      const state = { ...(json.state as Record<string, unknown>), cm: null };
      return { metric: { ...json, state }, cm: i };
    });
    return envelope("Metrics", { separator: this.separator, cms: cms.map((c) => c.toJSON()), members });
  }

  /**
   * Restores a group saved with `toJSON`. Pass `{ cm }` to attach every member to an existing
   * confusion matrix (the one they shared before saving). A damaged checkpoint throws a
   * `LearnError` (`ERR_LEARN_CHECKPOINT`) naming the path of the bad field, e.g.
   * `state.members[1].metric.state.posVal`.
   */
  static fromJSON(json: unknown, options?: { cm?: unknown }): Metrics {
    const s = openState(json, "Metrics");
    const separator = s.string("separator");
    const shared = options?.cm instanceof ConfusionMatrix ? options.cm : undefined;
    const cms =
      shared === undefined
        ? s.checkpoints("cms", (c) => ConfusionMatrix.fromJSON(c))
        : s.array("cms").map(() => shared);
    const members = s.nodes("members").map((m) => {
      if (m.isNull("cm")) return restoreMetricAt(m, "metric", {});
      const i = m.number("cm", { integer: true, min: 0, max: cms.length - 1 });
      return restoreMetricAt(m, "metric", { cm: cms[i] });
    });
    return new Metrics(members, separator);
  }
}

registerCheckpointType("Metrics", (c, ctx) => Metrics.fromJSON(c, ctx));
