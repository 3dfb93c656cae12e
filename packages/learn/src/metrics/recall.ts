import { registerCheckpointType } from "../checkpoint.js";
import { recallOf, average, micro } from "./averages.js";
import {
  BinaryMetric,
  ClassificationMetric,
  readMetric,
  readPosVal,
  safeDiv,
} from "./classification-metric.js";
import type { BinaryMetricOptions, ClassificationMetricOptions } from "./classification-metric.js";

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
    return new Recall(readMetric(json, "Recall", options, readPosVal));
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
    return average(this.cm, "macro", recallOf);
  }

  static fromJSON(json: unknown, options?: { cm?: unknown }): MacroRecall {
    return new MacroRecall(readMetric(json, "MacroRecall", options));
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
    return micro(this.cm, "recall");
  }

  static fromJSON(json: unknown, options?: { cm?: unknown }): MicroRecall {
    return new MicroRecall(readMetric(json, "MicroRecall", options));
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
    return average(this.cm, "weighted", recallOf);
  }

  static fromJSON(json: unknown, options?: { cm?: unknown }): WeightedRecall {
    return new WeightedRecall(readMetric(json, "WeightedRecall", options));
  }
}

registerCheckpointType("Recall", (c, ctx) => Recall.fromJSON(c, ctx));
registerCheckpointType("MacroRecall", (c, ctx) => MacroRecall.fromJSON(c, ctx));
registerCheckpointType("MicroRecall", (c, ctx) => MicroRecall.fromJSON(c, ctx));
registerCheckpointType("WeightedRecall", (c, ctx) => WeightedRecall.fromJSON(c, ctx));
