import { openCheckpoint, registerCheckpointType } from "../checkpoint.js";
import { BinaryMetric, ClassificationMetric, restoreCm, safeDiv } from "./classification-metric.js";
import type {
  BinaryMetricOptions,
  ClassificationMetricOptions,
  CmMetricState,
} from "./classification-metric.js";

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
    const s = openCheckpoint<CmMetricState>(json, "Precision");
    return new Precision({ cm: restoreCm(s, options), posVal: s.posVal });
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
    const classes = this.cm.classes;
    let total = 0;
    for (const c of classes) {
      const col = this.cm.sumCol(c);
      if (col !== 0) total += this.cm.get(c, c) / col;
    }
    return safeDiv(total, classes.length);
  }

  static fromJSON(json: unknown, options?: { cm?: unknown }): MacroPrecision {
    return new MacroPrecision({
      cm: restoreCm(openCheckpoint<CmMetricState>(json, "MacroPrecision"), options),
    });
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
    let num = 0;
    let den = 0;
    for (const c of this.cm.classes) {
      num += this.cm.get(c, c);
      den += this.cm.sumCol(c);
    }
    return safeDiv(num, den);
  }

  static fromJSON(json: unknown, options?: { cm?: unknown }): MicroPrecision {
    return new MicroPrecision({
      cm: restoreCm(openCheckpoint<CmMetricState>(json, "MicroPrecision"), options),
    });
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
    let total = 0;
    for (const c of this.cm.classes) {
      const col = this.cm.sumCol(c);
      if (col !== 0) total += (this.cm.sumRow(c) * this.cm.get(c, c)) / col;
    }
    return safeDiv(total, this.cm.totalWeight);
  }

  static fromJSON(json: unknown, options?: { cm?: unknown }): WeightedPrecision {
    return new WeightedPrecision({
      cm: restoreCm(openCheckpoint<CmMetricState>(json, "WeightedPrecision"), options),
    });
  }
}

registerCheckpointType("Precision", (c, ctx) => Precision.fromJSON(c, ctx));
registerCheckpointType("MacroPrecision", (c, ctx) => MacroPrecision.fromJSON(c, ctx));
registerCheckpointType("MicroPrecision", (c, ctx) => MicroPrecision.fromJSON(c, ctx));
registerCheckpointType("WeightedPrecision", (c, ctx) => WeightedPrecision.fromJSON(c, ctx));
