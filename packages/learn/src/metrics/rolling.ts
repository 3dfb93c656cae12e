import { envelope, openCheckpoint, registerCheckpointType, restore } from "../checkpoint.js";
import type { Checkpoint } from "../checkpoint.js";
import { LearnTypeError } from "../errors.js";
import { describe } from "../internal/validate.js";
import type { Metric } from "./metric.js";

type Args = [unknown, unknown, number];

/**
 * A metric over the last `windowSize` updates, River's `utils.Rolling(metric, window_size)`:
 * once the window is full, each update first reverts the oldest one. `toString` is the wrapped
 * metric's text.
 *
 * @example
 * ```ts
 * const acc = new Rolling(new Accuracy(), 2);
 * acc.update(1, 1).update(1, 0).update(1, 0);
 * acc.get(); // 0 (the first, correct, update left the window)
 * ```
 */
export class Rolling<V = number> {
  readonly metric: Metric<never, never, V>;
  readonly windowSize: number;
  private window: Args[] = [];
  private head = 0;

  constructor(metric: Metric<never, never, V> | Metric, windowSize: number) {
    if (typeof metric !== "object" || metric === null || typeof (metric as Metric).revert !== "function") {
      throw new LearnTypeError(
        `Argument "metric" of Rolling must be a metric with update and revert; got ${describe(metric)}.`,
      );
    }
    if (typeof windowSize !== "number" || !Number.isInteger(windowSize) || windowSize < 1) {
      throw new LearnTypeError(
        `Argument "windowSize" of Rolling must be a positive integer; got ${describe(windowSize)}.`,
      );
    }
    this.metric = metric as Metric<never, never, V>;
    this.windowSize = windowSize;
  }

  get biggerIsBetter(): boolean {
    return this.metric.biggerIsBetter;
  }

  get requiresLabels(): boolean {
    return this.metric.requiresLabels;
  }

  /** Updates with a new pair, reverting the oldest pair once the window is full. */
  update(yTrue: unknown, yPred: unknown, weight = 1.0): this {
    const m = this.metric as unknown as {
      update(a: unknown, b: unknown, w: number): unknown;
      revert(a: unknown, b: unknown, w: number): unknown;
    };
    if (this.window.length - this.head === this.windowSize) {
      const [t, p, w] = this.window[this.head] as Args;
      m.revert(t, p, w);
      this.head++;
      if (this.head > 1024 && this.head * 2 > this.window.length) {
        this.window = this.window.slice(this.head);
        this.head = 0;
      }
    }
    m.update(yTrue, yPred, weight);
    this.window.push([yTrue, yPred, weight]);
    return this;
  }

  /** Number of pairs in the window. */
  get size(): number {
    return this.window.length - this.head;
  }

  get(): V {
    return this.metric.get();
  }

  toString(): string {
    return this.metric.toString();
  }

  /** Saves the wrapped metric and the window. */
  toJSON(): Checkpoint<{ windowSize: number; metric: Checkpoint; window: Args[] }> {
    return envelope("Rolling", {
      windowSize: this.windowSize,
      metric: this.metric.toJSON(),
      window: this.window.slice(this.head),
    });
  }

  static fromJSON(json: unknown, options?: { cm?: unknown }): Rolling {
    const s = openCheckpoint<{ windowSize: number; metric: Checkpoint; window: Args[] }>(json, "Rolling");
    const r = new Rolling(restore(s.metric, options) as Metric, s.windowSize);
    r.window = s.window.map((a) => [a[0], a[1], a[2]]);
    return r;
  }
}

registerCheckpointType("Rolling", (c, ctx) => Rolling.fromJSON(c, ctx));
