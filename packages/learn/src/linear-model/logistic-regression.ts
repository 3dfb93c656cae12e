import { encodeNumber, envelope, openState, registerCheckpointType } from "../checkpoint.js";
import type { Checkpoint } from "../checkpoint.js";
import { LearnTypeError } from "../errors.js";
import { sigmoid } from "../internal/math.js";
import { checkOptions, describe, numberOption, toFeatureMap } from "../internal/validate.js";
import type { FeatureInput, Label, Proba } from "../types.js";

/**
 * Options of `LogisticRegression`, with River's defaults.
 *
 * @example
 * ```ts
 * new LogisticRegression({ learningRate: 0.05, l2: 0.001 });
 * ```
 */
export interface LogisticRegressionOptions {
  /** Learning rate of plain SGD for the weights. @default 0.01 */
  learningRate?: number | undefined;
  /** Learning rate of the intercept. @default 0.01 */
  interceptLr?: number | undefined;
  /** Initial intercept. @default 0 */
  interceptInit?: number | undefined;
  /**
   * L2 regularisation: each step adds `l2 · w` to the gradient of the weights of the features
   * present in the example (River 0.24's masked learn mode; absent features are not decayed).
   * @default 0
   */
  l2?: number | undefined;
  /** Gradients are clipped to ±this. @default 1e12 */
  clipGradient?: number | undefined;
}

interface LogisticRegressionState {
  learningRate: number;
  interceptLr: number;
  interceptInit: number;
  l2: number;
  /** A number, or `"Infinity"` (no clipping). */
  clipGradient: number | string;
  intercept: number;
  weights: [string, number][];
}

/**
 * Binary logistic regression trained by SGD on the log loss, as River's
 * `linear_model.LogisticRegression()` with its defaults (SGD 0.01, l2 = 0, intercept learning
 * rate 0.01, zero initial weights). Labels are booleans, or 0/1 numbers (0 is the negative
 * class). Predictions are `false`/`true`; on an exact 0.5 tie `false` wins, as in River.
 *
 * @example
 * ```ts
 * const lr = new LogisticRegression();
 * lr.learnOne({ good: 1 }, true);
 * lr.predictProbaOne({ good: 1 }); // Map { false => 0.497…, true => 0.502… }
 * ```
 */
export class LogisticRegression {
  readonly learningRate: number;
  readonly interceptLr: number;
  readonly interceptInit: number;
  readonly l2: number;
  readonly clipGradient: number;
  /** Current intercept. */
  intercept: number;
  /** Current weights, in the order features were first learnt. */
  readonly weights = new Map<string, number>();

  constructor(options?: LogisticRegressionOptions) {
    const where = "LogisticRegression";
    const opts = checkOptions(options, where, [
      "learningRate",
      "interceptLr",
      "interceptInit",
      "l2",
      "clipGradient",
    ]);
    this.learningRate = numberOption(opts, "learningRate", where, 0.01, { min: 0, finite: true });
    this.interceptLr = numberOption(opts, "interceptLr", where, 0.01, { min: 0, finite: true });
    this.interceptInit = numberOption(opts, "interceptInit", where, 0, { finite: true });
    this.l2 = numberOption(opts, "l2", where, 0, { min: 0, finite: true });
    this.clipGradient = numberOption(opts, "clipGradient", where, 1e12, { exclusiveMin: 0 });
    this.intercept = this.interceptInit;
  }

  private rawDot(x: ReadonlyMap<string, number>): number {
    let s = 0;
    for (const [f, v] of x) s += (this.weights.get(f) ?? 0) * v;
    return s + this.intercept;
  }

  /** One SGD step on the log loss. */
  learnOne(x: FeatureInput, y: Label): this {
    const positive = binaryLabel(y, "LogisticRegression.learnOne");
    const features = toFeatureMap(x, "LogisticRegression.learnOne");
    const yPm = positive ? 1 : -1;
    const z = this.rawDot(features) * yPm;
    let g: number;
    if (z > 18.0) g = Math.exp(-z) * -yPm;
    else if (z < -18.0) g = -yPm;
    else g = -yPm / (Math.exp(z) + 1.0);
    g = Math.min(Math.max(g, -this.clipGradient), this.clipGradient);
    this.intercept -= this.interceptLr * g;
    // River 0.24 learns with the weights masked to the keys of x: the gradient, its L2 term
    // (`l2 · w`, once; older Rivers used 2·l2·w) and the SGD step touch only features present in x.
    for (const [f, v] of features) {
      const w = this.weights.get(f) ?? 0;
      const gi = this.l2 !== 0 ? v * g + this.l2 * w : v * g;
      this.weights.set(f, w - this.learningRate * gi);
    }
    return this;
  }

  /** `Map { false => 1 - p, true => p }`. */
  predictProbaOne(x: FeatureInput): Proba {
    const features = toFeatureMap(x, "LogisticRegression.predictProbaOne");
    const p = sigmoid(this.rawDot(features));
    return new Map<Label, number>([
      [false, 1.0 - p],
      [true, p],
    ]);
  }

  /** `true` when `p > 1 - p`; `false` otherwise (ties included). */
  predictOne(x: FeatureInput): boolean {
    const features = toFeatureMap(x, "LogisticRegression.predictOne");
    const p = sigmoid(this.rawDot(features));
    return p > 1.0 - p;
  }

  /** Saves the model. */
  toJSON(): Checkpoint<LogisticRegressionState> {
    return envelope("LogisticRegression", {
      learningRate: this.learningRate,
      interceptLr: this.interceptLr,
      interceptInit: this.interceptInit,
      l2: this.l2,
      clipGradient: encodeNumber(this.clipGradient),
      intercept: this.intercept,
      weights: [...this.weights],
    });
  }

  /**
   * Restores a model saved with `toJSON`. A damaged checkpoint throws a `LearnError`
   * (`ERR_LEARN_CHECKPOINT`) naming the path of the bad field.
   */
  static fromJSON(json: unknown): LogisticRegression {
    const s = openState(json, "LogisticRegression");
    const m = new LogisticRegression({
      learningRate: s.number("learningRate", { min: 0 }),
      interceptLr: s.number("interceptLr", { min: 0 }),
      interceptInit: s.number("interceptInit"),
      l2: s.number("l2", { min: 0 }),
      clipGradient: s.number("clipGradient", { exclusiveMin: 0, infinite: true }),
    });
    m.intercept = s.number("intercept");
    for (const [f, w] of s.entries("weights")) m.weights.set(f, w);
    return m;
  }
}

function binaryLabel(y: unknown, where: string): boolean {
  if (typeof y === "boolean") return y;
  if (y === 0 || y === 1) return y === 1;
  throw new LearnTypeError(
    `Argument "y" of ${where} must be a binary label (true/false or 0/1); got ${describe(y)}.` +
      (y === undefined ? " Pass the true label of the example." : ""),
  );
}

registerCheckpointType("LogisticRegression", (c) => LogisticRegression.fromJSON(c));
