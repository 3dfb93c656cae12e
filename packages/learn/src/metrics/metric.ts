import type { Checkpoint } from "../checkpoint.js";
import type { Label } from "../types.js";

/**
 * What every metric offers: `update`, `revert` (undo an update), `get` and a `toString()` that
 * matches River's text.
 *
 * @example
 * ```ts
 * const m: Metric = new Accuracy();
 * m.update(1, 1).get(); // 1
 * ```
 */
export interface Metric<Y = Label, P = Label, V = number> {
  update(yTrue: Y, yPred: P, weight?: number): this;
  revert(yTrue: Y, yPred: P, weight?: number): this;
  get(): V;
  toString(): string;
  toJSON(): Checkpoint;
  /** Whether a higher value is better. */
  readonly biggerIsBetter: boolean;
  /** False for metrics that score probabilities (LogLoss). */
  readonly requiresLabels: boolean;
}
