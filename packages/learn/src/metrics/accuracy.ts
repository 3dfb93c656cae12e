import { registerCheckpointType } from "../checkpoint.js";
import { ClassificationMetric, readMetric, safeDiv } from "./classification-metric.js";
import type { ClassificationMetricOptions } from "./classification-metric.js";

/**
 * Share of exact matches (weighted), as River's `metrics.Accuracy`.
 *
 * @example
 * ```ts
 * const acc = new Accuracy();
 * acc.update(true, true).update(false, true);
 * acc.get(); // 0.5
 * String(acc); // "Accuracy: 50.00%"
 * ```
 */
export class Accuracy extends ClassificationMetric {
  constructor(options?: ClassificationMetricOptions) {
    super("Accuracy", options);
  }

  get(): number {
    return safeDiv(this.cm.totalTruePositives, this.cm.totalWeight);
  }

  /** Restores a metric saved with `toJSON`; pass `{ cm }` to re-attach a shared matrix. */
  static fromJSON(json: unknown, options?: { cm?: unknown }): Accuracy {
    return new Accuracy(readMetric(json, "Accuracy", options));
  }
}

registerCheckpointType("Accuracy", (c, ctx) => Accuracy.fromJSON(c, ctx));
