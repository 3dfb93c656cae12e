import { openCheckpoint, registerCheckpointType } from "../checkpoint.js";
import { BinaryMetric, ClassificationMetric, restoreCm, safeDiv } from "./classification-metric.js";
import type {
  BinaryMetricOptions,
  ClassificationMetricOptions,
  CmMetricState,
} from "./classification-metric.js";

/**
 * Binary recall `tp / (tp + fn)` for the positive label, as River's `metrics.Recall`.
 *
 * @example
 * ```ts
 * const cm = new ConfusionMatrix();
 * const p = new Recall({ cm, posVal: 0 });
 * cm.update(0, 0).update(1, 0);
 * p.get(); // 1
 * ```
 */
export class Recall extends BinaryMetric {
  constructor(options?: BinaryMetricOptions) {
    super("Recall", options);
  }

  get(): number {
    const tp = this.cm.truePositives(this.posVal);
    const fn = this.cm.falseNegatives(this.posVal);
    return safeDiv(tp, tp + fn);
  }

  /** Restores a metric saved with `toJSON`; pass `{ cm }` to re-attach a shared matrix. */
  static fromJSON(json: unknown, options?: { cm?: unknown }): Recall {
    const s = openCheckpoint<CmMetricState>(json, "Recall");
    return new Recall({ cm: restoreCm(s, options), posVal: s.posVal });
  }
}

/**
 * Mean of the per-class recalls, as River's `metrics.MacroRecall`.
 *
 * @example
 * ```ts
 * const m = new MacroRecall();
 * m.update(0, 0).update(1, 0);
 * m.get(); // 0.5
 * ```
 */
export class MacroRecall extends ClassificationMetric {
  constructor(options?: ClassificationMetricOptions) {
    super("MacroRecall", options);
  }

  get(): number {
    const classes = this.cm.classes;
    let total = 0;
    for (const c of classes) {
      const col = this.cm.sumRow(c);
      if (col !== 0) total += this.cm.get(c, c) / col;
    }
    return safeDiv(total, classes.length);
  }

  static fromJSON(json: unknown, options?: { cm?: unknown }): MacroRecall {
    return new MacroRecall({ cm: restoreCm(openCheckpoint<CmMetricState>(json, "MacroRecall"), options) });
  }
}

/**
 * Recall over all classes pooled, as River's `metrics.MicroRecall`.
 *
 * @example
 * ```ts
 * const m = new MicroRecall();
 * m.update(0, 0).update(1, 0);
 * m.get(); // 0.5
 * ```
 */
export class MicroRecall extends ClassificationMetric {
  constructor(options?: ClassificationMetricOptions) {
    super("MicroRecall", options);
  }

  get(): number {
    let num = 0;
    let den = 0;
    for (const c of this.cm.classes) {
      num += this.cm.get(c, c);
      den += this.cm.sumRow(c);
    }
    return safeDiv(num, den);
  }

  static fromJSON(json: unknown, options?: { cm?: unknown }): MicroRecall {
    return new MicroRecall({ cm: restoreCm(openCheckpoint<CmMetricState>(json, "MicroRecall"), options) });
  }
}

/**
 * Per-class recalls averaged with the class supports as weights, as River's
 * `metrics.WeightedRecall`.
 *
 * @example
 * ```ts
 * const m = new WeightedRecall();
 * m.update(0, 0).update(1, 0);
 * m.get(); // 0.5
 * ```
 */
export class WeightedRecall extends ClassificationMetric {
  constructor(options?: ClassificationMetricOptions) {
    super("WeightedRecall", options);
  }

  get(): number {
    let total = 0;
    for (const c of this.cm.classes) {
      const col = this.cm.sumRow(c);
      if (col !== 0) total += (this.cm.sumRow(c) * this.cm.get(c, c)) / col;
    }
    return safeDiv(total, this.cm.totalWeight);
  }

  static fromJSON(json: unknown, options?: { cm?: unknown }): WeightedRecall {
    return new WeightedRecall({
      cm: restoreCm(openCheckpoint<CmMetricState>(json, "WeightedRecall"), options),
    });
  }
}

registerCheckpointType("Recall", (c, ctx) => Recall.fromJSON(c, ctx));
registerCheckpointType("MacroRecall", (c, ctx) => MacroRecall.fromJSON(c, ctx));
registerCheckpointType("MicroRecall", (c, ctx) => MicroRecall.fromJSON(c, ctx));
registerCheckpointType("WeightedRecall", (c, ctx) => WeightedRecall.fromJSON(c, ctx));
