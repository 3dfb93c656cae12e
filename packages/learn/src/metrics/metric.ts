import { restore } from "../checkpoint.js";
import type { Checkpoint, RestoreContext } from "../checkpoint.js";
import type { StateNode } from "../internal/checkpoint-reader.js";
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

/**
 * Restores the metric checkpoint saved in field `key` of `s` with `context`; a field that holds
 * something else than a metric fails with its path. @internal
 */
export function restoreMetricAt(s: StateNode, key: string, context: RestoreContext | undefined): Metric {
  const restored = s.checkpoint(key, (c) => restore(c, context)) as Partial<Metric>;
  if (
    typeof restored.update !== "function" ||
    typeof restored.revert !== "function" ||
    typeof restored.get !== "function" ||
    typeof restored.biggerIsBetter !== "boolean"
  ) {
    const type = (s.raw(key) as { type?: unknown }).type;
    s.fail(`.${key}`, "a metric checkpoint", undefined, "", `a ${String(type)}`);
  }
  return restored as Metric;
}
