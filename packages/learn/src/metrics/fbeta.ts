import { openCheckpoint, registerCheckpointType } from "../checkpoint.js";
import { LearnTypeError } from "../errors.js";
import { describe } from "../internal/validate.js";
import { BinaryMetric, ClassificationMetric, restoreCm } from "./classification-metric.js";
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

function fbeta(p: number, r: number, b2: number): number {
  const den = b2 * p + r;
  return den === 0 ? 0.0 : ((1 + b2) * p * r) / den;
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
export class FBeta extends BinaryMetric {
  readonly beta: number;
  readonly precision: Precision;
  readonly recall: Recall;

  constructor(options: FBetaOptions) {
    super("FBeta", options, ["beta"]);
    this.beta = checkBeta(options.beta, "FBeta");
    this.precision = new Precision({ cm: this.cm, posVal: this.posVal });
    this.recall = new Recall({ cm: this.cm, posVal: this.posVal });
  }

  get(): number {
    return fbeta(this.precision.get(), this.recall.get(), this.beta ** 2);
  }

  protected override state(): CmMetricState {
    return { ...super.state(), beta: this.beta };
  }

  static fromJSON(json: unknown, options?: { cm?: unknown }): FBeta {
    const s = openCheckpoint<CmMetricState>(json, "FBeta");
    return new FBeta({ cm: restoreCm(s, options), posVal: s.posVal, beta: s.beta ?? 1 });
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
export class F1 extends BinaryMetric {
  readonly precision: Precision;
  readonly recall: Recall;

  constructor(options?: BinaryMetricOptions) {
    super("F1", options);
    this.precision = new Precision({ cm: this.cm, posVal: this.posVal });
    this.recall = new Recall({ cm: this.cm, posVal: this.posVal });
  }

  get(): number {
    return fbeta(this.precision.get(), this.recall.get(), 1.0 ** 2);
  }

  static fromJSON(json: unknown, options?: { cm?: unknown }): F1 {
    const s = openCheckpoint<CmMetricState>(json, "F1");
    return new F1({ cm: restoreCm(s, options), posVal: s.posVal });
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
    const b2 = this.beta ** 2;
    const classes = this.cm.classes;
    let total = 0;
    for (const c of classes) {
      const tp = this.cm.get(c, c);
      const col = this.cm.sumCol(c);
      const row = this.cm.sumRow(c);
      const p = col === 0 ? 0 : tp / col;
      const r = row === 0 ? 0 : tp / row;
      const den = b2 * p + r;
      if (den !== 0) total += ((1 + b2) * p * r) / den;
    }
    return classes.length === 0 ? 0.0 : total / classes.length;
  }

  static fromJSON(json: unknown, options?: { cm?: unknown }): MacroFBeta {
    const s = openCheckpoint<CmMetricState>(json, "MacroFBeta");
    return new MacroFBeta({ cm: restoreCm(s, options), beta: s.beta ?? 1 });
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

  static override fromJSON(json: unknown, options?: { cm?: unknown }): MacroF1 {
    return new MacroF1({ cm: restoreCm(openCheckpoint<CmMetricState>(json, "MacroF1"), options) });
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

  static fromJSON(json: unknown, options?: { cm?: unknown }): MicroFBeta {
    const s = openCheckpoint<CmMetricState>(json, "MicroFBeta");
    return new MicroFBeta({ cm: restoreCm(s, options), beta: s.beta ?? 1 });
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

  static override fromJSON(json: unknown, options?: { cm?: unknown }): MicroF1 {
    return new MicroF1({ cm: restoreCm(openCheckpoint<CmMetricState>(json, "MicroF1"), options) });
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
    const b2 = this.beta ** 2;
    let total = 0;
    for (const c of this.cm.classes) {
      const tp = this.cm.get(c, c);
      const col = this.cm.sumCol(c);
      const row = this.cm.sumRow(c);
      const p = col === 0 ? 0 : (row * tp) / col;
      const r = row === 0 ? 0 : (row * tp) / row;
      const den = b2 * p + r;
      if (den !== 0) total += ((1 + b2) * p * r) / den;
    }
    return this.cm.totalWeight === 0 ? 0.0 : total / this.cm.totalWeight;
  }

  static fromJSON(json: unknown, options?: { cm?: unknown }): WeightedFBeta {
    const s = openCheckpoint<CmMetricState>(json, "WeightedFBeta");
    return new WeightedFBeta({ cm: restoreCm(s, options), beta: s.beta ?? 1 });
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

  static override fromJSON(json: unknown, options?: { cm?: unknown }): WeightedF1 {
    return new WeightedF1({ cm: restoreCm(openCheckpoint<CmMetricState>(json, "WeightedF1"), options) });
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
