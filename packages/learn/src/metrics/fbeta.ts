import { registerCheckpointType } from "../checkpoint.js";
import { LearnTypeError } from "../errors.js";
import type { StateNode } from "../internal/checkpoint-reader.js";
import type { Label } from "../types.js";
import { describe } from "../internal/validate.js";
import { average, fbeta, fbetaOf } from "./averages.js";
import { BinaryMetric, ClassificationMetric, readMetric, readPosVal } from "./classification-metric.js";
import type {
  BinaryMetricOptions,
  ClassificationMetricOptions,
  CmMetricState,
} from "./classification-metric.js";
import { MicroPrecision, Precision } from "./precision.js";
import { MicroRecall, Recall } from "./recall.js";

function checkBeta(beta: unknown, where: string): number {
  if (typeof beta !== "number" || !Number.isFinite(beta) || beta < 0) {
    throw new LearnTypeError(
      `Option "beta" of ${where} must be a non-negative number; got ${describe(beta)}.`,
    );
  }
  return beta;
}

/** Reads the beta of an F-beta checkpoint. */
function readBeta(s: StateNode): { beta: number } {
  return { beta: s.number("beta", { min: 0 }) };
}

/** Reads the positive label and the beta of a binary F-beta checkpoint. */
function readBinaryFBeta(s: StateNode): { posVal: Label; beta: number } {
  return { ...readPosVal(s), ...readBeta(s) };
}

/**
 * Options of `FBeta`.
 *
 * @example
 * ```ts
 * new FBeta({ beta: 0.5, posVal: 1 });
 * ```
 */
export interface FBetaOptions extends BinaryMetricOptions {
  /** Weight of recall relative to precision. */
  beta: number;
}

/** What FBeta and F1 share: the precision and the recall of the positive label, on one matrix. */
abstract class BinaryFScore extends BinaryMetric {
  readonly precision: Precision;
  readonly recall: Recall;
  /** `beta²`: 1 for F1. */
  protected b2 = 1.0;

  protected constructor(name: string, options: BinaryMetricOptions | undefined, extraKnown: string[] = []) {
    super(name, options, extraKnown);
    this.precision = new Precision({ cm: this.cm, posVal: this.posVal });
    this.recall = new Recall({ cm: this.cm, posVal: this.posVal });
  }

  get(): number {
    return fbeta(this.precision.get(), this.recall.get(), this.b2);
  }
}

/**
 * Binary F-beta score, as River's `metrics.FBeta`.
 *
 * @example
 * ```ts
 * const m = new FBeta({ beta: 2 });
 * for (const [t, p] of [[false, false], [false, false], [false, true], [true, true], [true, false], [true, false]] as const) m.update(t, p);
 * String(m); // "FBeta: 35.71%"
 * ```
 */
export class FBeta extends BinaryFScore {
  readonly beta: number;

  constructor(options: FBetaOptions) {
    super("FBeta", options, ["beta"]);
    this.beta = checkBeta(options.beta, "FBeta");
    this.b2 = this.beta ** 2;
  }

  protected override state(): CmMetricState {
    return { ...super.state(), beta: this.beta };
  }

  /** Restores a metric saved with `toJSON`; pass `{ cm }` to re-attach a shared matrix. */
  static fromJSON(json: unknown, options?: { cm?: unknown }): FBeta {
    return new FBeta(readMetric(json, "FBeta", options, readBinaryFBeta));
  }
}

/**
 * Binary F1 score, as River's `metrics.F1`.
 *
 * @example
 * ```ts
 * const cm = new ConfusionMatrix();
 * const f1 = new F1({ cm, posVal: 1 });
 * cm.update(1, 1).update(0, 1);
 * f1.get(); // 0.6666666666666666
 * ```
 */
export class F1 extends BinaryFScore {
  constructor(options?: BinaryMetricOptions) {
    super("F1", options);
  }

  /** Restores a metric saved with `toJSON`; pass `{ cm }` to re-attach a shared matrix. */
  static fromJSON(json: unknown, options?: { cm?: unknown }): F1 {
    return new F1(readMetric(json, "F1", options, readPosVal));
  }
}

abstract class AveragedFBeta extends ClassificationMetric {
  readonly beta: number;

  protected constructor(
    name: string,
    options: (ClassificationMetricOptions & { beta?: number }) | undefined,
    beta: unknown,
  ) {
    super(name, options, name.endsWith("F1") ? [] : ["beta"]);
    this.beta = checkBeta(beta, name);
  }

  protected override state(): CmMetricState {
    return { ...super.state(), beta: this.beta };
  }
}

/**
 * Mean of the per-class F-beta scores, as River's `metrics.MacroFBeta`.
 *
 * @example
 * ```ts
 * const m = new MacroFBeta({ beta: 0.8 });
 * m.update(0, 0);
 * m.get(); // 1
 * ```
 */
export class MacroFBeta extends AveragedFBeta {
  constructor(
    options: ClassificationMetricOptions & { beta?: number },
    name = "MacroFBeta",
    beta: unknown = options.beta,
  ) {
    super(name, options, beta);
  }

  get(): number {
    return average(this.cm, "macro", fbetaOf(this.beta));
  }

  /** Restores a metric saved with `toJSON`; pass `{ cm }` to re-attach a shared matrix. */
  static fromJSON(json: unknown, options?: { cm?: unknown }): MacroFBeta {
    return new MacroFBeta(readMetric(json, "MacroFBeta", options, readBeta));
  }
}

/**
 * Macro-averaged F1, as River's `metrics.MacroF1`.
 *
 * @example
 * ```ts
 * const m = new MacroF1();
 * m.update(0, 0).update(1, 0);
 * String(m); // "MacroF1: 33.33%"
 * ```
 */
export class MacroF1 extends MacroFBeta {
  constructor(options?: ClassificationMetricOptions) {
    super(options ?? {}, "MacroF1", 1.0);
  }

  /** Restores a metric saved with `toJSON`; pass `{ cm }` to re-attach a shared matrix. */
  static override fromJSON(json: unknown, options?: { cm?: unknown }): MacroF1 {
    return new MacroF1(readMetric(json, "MacroF1", options));
  }
}

/**
 * F-beta of the pooled (micro) precision and recall, as River's `metrics.MicroFBeta`.
 *
 * @example
 * ```ts
 * const m = new MicroFBeta({ beta: 2 });
 * m.update(0, 0).update(1, 1).update(2, 1);
 * m.get(); // 0.6666666666666666
 * ```
 */
export class MicroFBeta extends AveragedFBeta {
  readonly precision: MicroPrecision;
  readonly recall: MicroRecall;

  constructor(
    options: ClassificationMetricOptions & { beta?: number },
    name = "MicroFBeta",
    beta: unknown = options.beta,
  ) {
    super(name, options, beta);
    this.precision = new MicroPrecision({ cm: this.cm });
    this.recall = new MicroRecall({ cm: this.cm });
  }

  get(): number {
    return fbeta(this.precision.get(), this.recall.get(), this.beta ** 2);
  }

  /** Restores a metric saved with `toJSON`; pass `{ cm }` to re-attach a shared matrix. */
  static fromJSON(json: unknown, options?: { cm?: unknown }): MicroFBeta {
    return new MicroFBeta(readMetric(json, "MicroFBeta", options, readBeta));
  }
}

/**
 * Micro-averaged F1, as River's `metrics.MicroF1`.
 *
 * @example
 * ```ts
 * const m = new MicroF1();
 * m.update(0, 0).update(1, 1).update(2, 1);
 * String(m); // "MicroF1: 66.67%"
 * ```
 */
export class MicroF1 extends MicroFBeta {
  constructor(options?: ClassificationMetricOptions) {
    super(options ?? {}, "MicroF1", 1.0);
  }

  /** Restores a metric saved with `toJSON`; pass `{ cm }` to re-attach a shared matrix. */
  static override fromJSON(json: unknown, options?: { cm?: unknown }): MicroF1 {
    return new MicroF1(readMetric(json, "MicroF1", options));
  }
}

/**
 * Per-class F-beta scores averaged with the supports as weights, as River's
 * `metrics.WeightedFBeta`.
 *
 * @example
 * ```ts
 * const m = new WeightedFBeta({ beta: 0.8 });
 * m.update(0, 0);
 * m.get(); // 1
 * ```
 */
export class WeightedFBeta extends AveragedFBeta {
  constructor(
    options: ClassificationMetricOptions & { beta?: number },
    name = "WeightedFBeta",
    beta: unknown = options.beta,
  ) {
    super(name, options, beta);
  }

  get(): number {
    return average(this.cm, "weighted", fbetaOf(this.beta));
  }

  /** Restores a metric saved with `toJSON`; pass `{ cm }` to re-attach a shared matrix. */
  static fromJSON(json: unknown, options?: { cm?: unknown }): WeightedFBeta {
    return new WeightedFBeta(readMetric(json, "WeightedFBeta", options, readBeta));
  }
}

/**
 * Weighted-average F1, as River's `metrics.WeightedF1`.
 *
 * @example
 * ```ts
 * const m = new WeightedF1();
 * m.update(0, 0).update(1, 0);
 * String(m); // "WeightedF1: 33.33%"
 * ```
 */
export class WeightedF1 extends WeightedFBeta {
  constructor(options?: ClassificationMetricOptions) {
    super(options ?? {}, "WeightedF1", 1.0);
  }

  /** Restores a metric saved with `toJSON`; pass `{ cm }` to re-attach a shared matrix. */
  static override fromJSON(json: unknown, options?: { cm?: unknown }): WeightedF1 {
    return new WeightedF1(readMetric(json, "WeightedF1", options));
  }
}

registerCheckpointType("FBeta", (c, ctx) => FBeta.fromJSON(c, ctx));
registerCheckpointType("F1", (c, ctx) => F1.fromJSON(c, ctx));
registerCheckpointType("MacroFBeta", (c, ctx) => MacroFBeta.fromJSON(c, ctx));
registerCheckpointType("MacroF1", (c, ctx) => MacroF1.fromJSON(c, ctx));
registerCheckpointType("MicroFBeta", (c, ctx) => MicroFBeta.fromJSON(c, ctx));
registerCheckpointType("MicroF1", (c, ctx) => MicroF1.fromJSON(c, ctx));
registerCheckpointType("WeightedFBeta", (c, ctx) => WeightedFBeta.fromJSON(c, ctx));
registerCheckpointType("WeightedF1", (c, ctx) => WeightedF1.fromJSON(c, ctx));
