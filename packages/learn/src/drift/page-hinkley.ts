import { encodeNumber, envelope, openState, registerCheckpointType } from "../checkpoint.js";
import type { Checkpoint } from "../checkpoint.js";
import { LearnTypeError } from "../errors.js";
import type { StateNode } from "../internal/checkpoint-reader.js";
import { checkFiniteNumber, checkOptions, describe, numberOption } from "../internal/validate.js";

/**
 * Options of `PageHinkley`, with River's defaults.
 *
 * @example
 * ```ts
 * new PageHinkley({ threshold: 20, mode: "down" });
 * ```
 */
export interface PageHinkleyOptions {
  /** No detection before this many values. @default 30 */
  minInstances?: number | undefined;
  /** Magnitude of changes that are tolerated. @default 0.005 */
  delta?: number | undefined;
  /** Detection threshold (lambda). @default 50 */
  threshold?: number | undefined;
  /** Forgetting factor of the cumulative sums. @default 0.9999 */
  alpha?: number | undefined;
  /** Detect increases, decreases or both. @default "both" */
  mode?: "up" | "down" | "both" | undefined;
}

/** Options that may be infinite are saved as `"Infinity"` / `"-Infinity"` (see `encodeNumber`). */
interface PageHinkleyState {
  minInstances: number | string;
  delta: number | string;
  threshold: number | string;
  alpha: number | string;
  mode: "up" | "down" | "both";
  detected: boolean;
  n: number;
  mean: number;
  sumIncrease: number;
  sumDecrease: number;
  minIncrease: number | string;
  maxDecrease: number | string;
}

/**
 * Page-Hinkley drift detector, as River's `drift.PageHinkley`: cumulative deviations from the
 * running mean, with a forgetting factor, tested against a threshold in either direction.
 * After a detection, the next `update` starts afresh.
 *
 * @example
 * ```ts
 * const ph = new PageHinkley();
 * for (const [i, x] of stream.entries()) {
 *   ph.update(x);
 *   if (ph.driftDetected) console.log(`Change detected at index ${i}`);
 * }
 * ```
 */
export class PageHinkley {
  readonly minInstances: number;
  readonly delta: number;
  readonly threshold: number;
  readonly alpha: number;
  readonly mode: "up" | "down" | "both";
  private detected = false;
  private n = 0;
  private mean = 0.0;
  private sumIncrease = 0.0;
  private sumDecrease = 0.0;
  private minIncrease = Infinity;
  private maxDecrease = -1;

  constructor(options?: PageHinkleyOptions) {
    const where = "PageHinkley";
    const opts = checkOptions(options, where, ["minInstances", "delta", "threshold", "alpha", "mode"]);
    this.minInstances = numberOption(opts, "minInstances", where, 30, { min: 0 });
    this.delta = numberOption(opts, "delta", where, 0.005);
    this.threshold = numberOption(opts, "threshold", where, 50.0);
    this.alpha = numberOption(opts, "alpha", where, 1 - 0.0001);
    const mode = opts["mode"] ?? "both";
    if (mode !== "up" && mode !== "down" && mode !== "both") {
      throw new LearnTypeError(
        `Option "mode" of PageHinkley must be "up", "down" or "both"; got ${describe(mode)}.`,
      );
    }
    this.mode = mode;
  }

  private reset(): void {
    this.detected = false;
    this.n = 0;
    this.mean = 0.0;
    this.sumIncrease = 0.0;
    this.sumDecrease = 0.0;
    this.minIncrease = Infinity;
    this.maxDecrease = -1;
  }

  /** Whether the last `update` detected a drift. */
  get driftDetected(): boolean {
    return this.detected;
  }

  /** Adds a value; afterwards `driftDetected` tells whether a change was found. */
  update(x: number): this {
    checkFiniteNumber(x, "PageHinkley.update", "x");
    if (this.detected) this.reset();
    this.n += 1;
    this.mean += (1 / this.n) * (x - this.mean);
    const dev = x - this.mean;
    this.sumIncrease = this.alpha * this.sumIncrease + dev - this.delta;
    this.sumDecrease = this.alpha * this.sumDecrease + dev + this.delta;
    if (this.sumIncrease < this.minIncrease) this.minIncrease = this.sumIncrease;
    if (this.sumDecrease > this.maxDecrease) this.maxDecrease = this.sumDecrease;
    if (this.n >= this.minInstances) {
      const up = this.sumIncrease - this.minIncrease > this.threshold;
      const down = this.maxDecrease - this.sumDecrease > this.threshold;
      this.detected = this.mode === "up" ? up : this.mode === "down" ? down : up || down;
    }
    return this;
  }

  /** Saves the detector. */
  toJSON(): Checkpoint<PageHinkleyState> {
    return envelope("PageHinkley", {
      minInstances: encodeNumber(this.minInstances),
      delta: encodeNumber(this.delta),
      threshold: encodeNumber(this.threshold),
      alpha: encodeNumber(this.alpha),
      mode: this.mode,
      detected: this.detected,
      n: this.n,
      mean: this.mean,
      sumIncrease: this.sumIncrease,
      sumDecrease: this.sumDecrease,
      minIncrease: encodeNumber(this.minIncrease),
      maxDecrease: encodeNumber(this.maxDecrease),
    });
  }

  /**
   * Restores a detector saved with `toJSON`. A damaged checkpoint throws a `LearnError`
   * (`ERR_LEARN_CHECKPOINT`) naming the path of the bad field.
   */
  static fromJSON(json: unknown): PageHinkley {
    const s: StateNode = openState(json, "PageHinkley");
    const mode = s.string("mode");
    if (mode !== "up" && mode !== "down" && mode !== "both") s.fail(".mode", '"up", "down" or "both"', mode);
    // The options take what the constructor takes, infinities included ("never detect").
    const p = new PageHinkley({
      minInstances: s.number("minInstances", { min: 0, infinite: true }),
      delta: s.number("delta", { infinite: true }),
      threshold: s.number("threshold", { infinite: true }),
      alpha: s.number("alpha", { infinite: true }),
      mode,
    });
    p.detected = s.boolean("detected");
    p.n = s.number("n", { integer: true, min: 0 });
    p.mean = s.number("mean");
    p.sumIncrease = s.number("sumIncrease");
    p.sumDecrease = s.number("sumDecrease");
    p.minIncrease = s.number("minIncrease", { infinite: true });
    p.maxDecrease = s.number("maxDecrease", { infinite: true });
    // Once a value was seen, the extremes include the current sums.
    if (p.n > 0 && p.minIncrease > p.sumIncrease) {
      s.fail(".minIncrease", `a number ≤ ${s.path}.sumIncrease (${p.sumIncrease})`, p.minIncrease);
    }
    if (p.n > 0 && p.maxDecrease < p.sumDecrease) {
      s.fail(".maxDecrease", `a number ≥ ${s.path}.sumDecrease (${p.sumDecrease})`, p.maxDecrease);
    }
    return p;
  }
}

registerCheckpointType("PageHinkley", (c) => PageHinkley.fromJSON(c));
