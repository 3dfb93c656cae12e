import { envelope, openState, registerCheckpointType } from "../checkpoint.js";
import type { Checkpoint } from "../checkpoint.js";
import { LearnTypeError } from "../errors.js";
import { describe } from "../internal/validate.js";
import { restoreMetricAt } from "./metric.js";
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

  /**
   * Restores a rolling metric saved with `toJSON`; `{ cm }` is passed on to the wrapped metric. A
   * damaged checkpoint throws a `LearnError` (`ERR_LEARN_CHECKPOINT`) naming the path of the bad
   * field.
   */
  static fromJSON(json: unknown, options?: { cm?: unknown }): Rolling {
    const s = openState(json, "Rolling");
    const windowSize = s.number("windowSize", { integer: true, min: 1 });
    const metric = restoreMetricAt(s, "metric", options);
    // Each entry is reverted once it leaves the window: it must be what the metric takes.
    const window = s.tuples("window", 3).map((a): Args => {
      const yPred = metric.requiresLabels ? a.label(1) : a.number(1);
      return [a.label(0), yPred, a.number(2)];
    });
    if (window.length > windowSize) {
      s.fail(".window", `at most ${windowSize} updates (the window size)`, window, "", `${window.length}`);
    }
    const r = new Rolling(metric, windowSize);
    r.window = window;
    return r;
  }
}

registerCheckpointType("Rolling", (c, ctx) => Rolling.fromJSON(c, ctx));
