import { registerCheckpointType } from "../checkpoint.js";
import { precisionOf, average, micro } from "./averages.js";
import {
  BinaryMetric,
  ClassificationMetric,
  readMetric,
  readPosVal,
  safeDiv,
} from "./classification-metric.js";
import type { BinaryMetricOptions, ClassificationMetricOptions } from "./classification-metric.js";

/**
 * Binary precision `tp / (tp + fp)` for the positive label, as River's `metrics.Precision`.
 *
 * @example
 * ```ts
 * const cm = new ConfusionMatrix();
 * const p = new Precision({ cm, posVal: 0 });
 * cm.update(0, 0).update(1, 0);
 * p.get(); // 0.5
 * ```
 */
export class Precision extends BinaryMetric {
  constructor(options?: BinaryMetricOptions) {
    super("Precision", options);
  }

  get(): number {
    const tp = this.cm.truePositives(this.posVal);
    const fp = this.cm.falsePositives(this.posVal);
    return safeDiv(tp, tp + fp);
  }

  /** Restores a metric saved with `toJSON`; pass `{ cm }` to re-attach a shared matrix. */
  static fromJSON(json: unknown, options?: { cm?: unknown }): Precision {
    return new Precision(readMetric(json, "Precision", options, readPosVal));
  }
}

/**
 * Mean of the per-class precisions, as River's `metrics.MacroPrecision`.
 *
 * @example
 * ```ts
 * const m = new MacroPrecision();
 * m.update(0, 0).update(1, 0);
 * m.get(); // 0.25
 * ```
 */
export class MacroPrecision extends ClassificationMetric {
  constructor(options?: ClassificationMetricOptions) {
    super("MacroPrecision", options);
  }

  get(): number {
    return average(this.cm, "macro", precisionOf);
  }

  static fromJSON(json: unknown, options?: { cm?: unknown }): MacroPrecision {
    return new MacroPrecision(readMetric(json, "MacroPrecision", options));
  }
}

/**
 * Precision over all classes pooled, as River's `metrics.MicroPrecision`.
 *
 * @example
 * ```ts
 * const m = new MicroPrecision();
 * m.update(0, 0).update(1, 0);
 * m.get(); // 0.5
 * ```
 */
export class MicroPrecision extends ClassificationMetric {
  constructor(options?: ClassificationMetricOptions) {
    super("MicroPrecision", options);
  }

  get(): number {
    return micro(this.cm, "precision");
  }

  static fromJSON(json: unknown, options?: { cm?: unknown }): MicroPrecision {
    return new MicroPrecision(readMetric(json, "MicroPrecision", options));
  }
}

/**
 * Per-class precisions averaged with the class supports as weights, as River's
 * `metrics.WeightedPrecision`.
 *
 * @example
 * ```ts
 * const m = new WeightedPrecision();
 * m.update(0, 0).update(1, 0);
 * m.get(); // 0.25
 * ```
 */
export class WeightedPrecision extends ClassificationMetric {
  constructor(options?: ClassificationMetricOptions) {
    super("WeightedPrecision", options);
  }

  get(): number {
    return average(this.cm, "weighted", precisionOf);
  }

  static fromJSON(json: unknown, options?: { cm?: unknown }): WeightedPrecision {
    return new WeightedPrecision(readMetric(json, "WeightedPrecision", options));
  }
}

registerCheckpointType("Precision", (c, ctx) => Precision.fromJSON(c, ctx));
registerCheckpointType("MacroPrecision", (c, ctx) => MacroPrecision.fromJSON(c, ctx));
registerCheckpointType("MicroPrecision", (c, ctx) => MicroPrecision.fromJSON(c, ctx));
registerCheckpointType("WeightedPrecision", (c, ctx) => WeightedPrecision.fromJSON(c, ctx));
