import { envelope, openState, registerCheckpointType } from "../checkpoint.js";
import type { Checkpoint } from "../checkpoint.js";
import { LearnTypeError } from "../errors.js";
import { pyFloatRepr, rstrip } from "../internal/python.js";
import { checkLabel, checkOptions, describe } from "../internal/validate.js";
import type { Label, Proba } from "../types.js";
import type { Metric } from "./metric.js";

/**
 * Options of `LogLoss`.
 *
 * @example
 * ```ts
 * new LogLoss({ posVal: 1 }).update(1, 0.8);
 * ```
 */
export interface LogLossOptions {
  /** The label whose probability is scored. @default true (equals 1) */
  posVal?: Label | undefined;
}

function isPositive(y: Label, pos: Label): boolean {
  const k = (v: Label): Label => (typeof v === "boolean" ? (v ? 1 : 0) : v);
  return k(y) === k(pos);
}

/**
 * Binary log loss on predicted probabilities, a running mean like River's `metrics.LogLoss`.
 * `yPred` is the probability of the positive label, or the `Map` from `predictProbaOne`.
 * Probabilities are clamped to [1e-15, 1 − 1e-15].
 *
 * @example
 * ```ts
 * const m = new LogLoss();
 * m.update(true, 0.9).update(false, 0.1);
 * m.get(); // 0.10536051565782628
 * ```
 */
export class LogLoss implements Metric<Label, number | Proba> {
  readonly posVal: Label;
  readonly biggerIsBetter = false;
  readonly requiresLabels = false;
  private n = 0;
  private mean = 0.0;

  constructor(options?: LogLossOptions) {
    const opts = checkOptions(options, "LogLoss", ["posVal"]);
    const pos = opts["posVal"];
    if (pos !== undefined) checkLabel(pos, "LogLoss", "options.posVal");
    this.posVal = pos ?? true;
  }

  private evaluate(yTrue: Label, yPred: number | Proba, where: string): number {
    checkLabel(yTrue, where, "yTrue");
    let p: number | undefined;
    if (yPred instanceof Map) {
      p = 0.0;
      for (const [label, v] of yPred) if (isPositive(label, this.posVal)) p = v;
    } else p = yPred;
    if (typeof p !== "number" || Number.isNaN(p)) {
      throw new LearnTypeError(
        `Argument "yPred" of ${where} must be a probability or a Map of probabilities; got ${describe(yPred)}.`,
      );
    }
    const clamped = Math.min(Math.max(p, 1e-15), 1 - 1e-15);
    return isPositive(yTrue, this.posVal) ? -Math.log(clamped) : -Math.log(1 - clamped);
  }

  update(yTrue: Label, yPred: number | Proba, weight = 1.0): this {
    const x = this.evaluate(yTrue, yPred, "LogLoss.update");
    this.n += weight;
    this.mean += (weight / this.n) * (x - this.mean);
    return this;
  }

  revert(yTrue: Label, yPred: number | Proba, weight = 1.0): this {
    const x = this.evaluate(yTrue, yPred, "LogLoss.revert");
    this.n -= weight;
    if (this.n < 0) throw new LearnTypeError("LogLoss.revert was called more often than update.");
    if (this.n === 0) this.mean = 0.0;
    else this.mean -= (weight / this.n) * (x - this.mean);
    return this;
  }

  get(): number {
    return this.mean;
  }

  /** `LogLoss: 0.216162` in River's format (Python's float repr, trailing zeros stripped). */
  toString(): string {
    return rstrip(`LogLoss: ${pyFloatRepr(this.get())}`, "0");
  }

  toJSON(): Checkpoint<{ posVal: Label; n: number; mean: number }> {
    return envelope("LogLoss", { posVal: this.posVal, n: this.n, mean: this.mean });
  }

  /**
   * Restores a metric saved with `toJSON`. A damaged checkpoint throws a `LearnError`
   * (`ERR_LEARN_CHECKPOINT`) naming the path of the bad field.
   */
  static fromJSON(json: unknown): LogLoss {
    const s = openState(json, "LogLoss");
    const m = new LogLoss({ posVal: s.label("posVal") });
    // `n` is the total weight seen (revert refuses to take it below 0); no weight, no mean.
    m.n = s.number("n", { min: 0 });
    m.mean = s.number("mean");
    if (m.n === 0 && m.mean !== 0) s.fail(".mean", `0 (${s.path}.n is 0: nothing was scored)`, m.mean);
    return m;
  }
}

registerCheckpointType("LogLoss", (c) => LogLoss.fromJSON(c));
