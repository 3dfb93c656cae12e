import { envelope, openState, registerCheckpointType } from "../checkpoint.js";
import type { Checkpoint } from "../checkpoint.js";
import { checkFiniteNumber, checkOptions, numberOption } from "../internal/validate.js";
import { AdaptiveWindowing } from "./adaptive-windowing.js";
import type { AdaptiveWindowingState } from "./adaptive-windowing.js";

/**
 * Options of `ADWIN`, with River's defaults.
 *
 * @example
 * ```ts
 * new ADWIN({ delta: 0.01, clock: 1 });
 * ```
 */
export interface ADWINOptions {
  /** Confidence value. @default 0.002 */
  delta?: number | undefined;
  /** Check for change every `clock` updates. @default 32 */
  clock?: number | undefined;
  /** Buckets of each size kept before merging. @default 5 */
  maxBuckets?: number | undefined;
  /** Minimum length of each sub-window. @default 5 */
  minWindowLength?: number | undefined;
  /** No detection before this many values. @default 10 */
  gracePeriod?: number | undefined;
}

/**
 * ADaptive WINdowing drift detector (Bifet & Gavaldà 2007), as River's `drift.ADWIN`: keeps a
 * window of recent values and drops its older part when the two parts' means differ
 * significantly. After a detection, the next `update` starts afresh, as in River.
 *
 * @example
 * ```ts
 * const adwin = new ADWIN();
 * for (const [i, x] of stream.entries()) {
 *   adwin.update(x);
 *   if (adwin.driftDetected) console.log(`Change detected at index ${i}`);
 * }
 * ```
 */
export class ADWIN {
  readonly delta: number;
  readonly clock: number;
  readonly maxBuckets: number;
  readonly minWindowLength: number;
  readonly gracePeriod: number;
  private helper: AdaptiveWindowing;
  private detected = false;

  constructor(options?: ADWINOptions) {
    const opts = checkOptions(options, "ADWIN", [
      "delta",
      "clock",
      "maxBuckets",
      "minWindowLength",
      "gracePeriod",
    ]);
    this.delta = numberOption(opts, "delta", "ADWIN", 0.002, { exclusiveMin: 0 });
    this.clock = numberOption(opts, "clock", "ADWIN", 32, { integer: true, min: 1 });
    this.maxBuckets = numberOption(opts, "maxBuckets", "ADWIN", 5, { integer: true, min: 1 });
    this.minWindowLength = numberOption(opts, "minWindowLength", "ADWIN", 5, { integer: true, min: 1 });
    this.gracePeriod = numberOption(opts, "gracePeriod", "ADWIN", 10, { integer: true, min: 0 });
    this.helper = this.fresh();
  }

  private fresh(): AdaptiveWindowing {
    return new AdaptiveWindowing(
      this.delta,
      this.clock,
      this.maxBuckets,
      this.minWindowLength,
      this.gracePeriod,
    );
  }

  /** Whether the last `update` detected a drift. */
  get driftDetected(): boolean {
    return this.detected;
  }

  /** Current window length. */
  get width(): number {
    return this.helper.width;
  }

  /** Sum of the values in the window. */
  get total(): number {
    return this.helper.total;
  }

  /** Running variance statistic of the window (River's `variance`). */
  get variance(): number {
    return this.helper.variance;
  }

  /** Mean of the window (0 when empty). */
  get estimation(): number {
    return this.helper.width === 0 ? 0.0 : this.helper.total / this.helper.width;
  }

  /** Detections since the last reset. */
  get nDetections(): number {
    return this.helper.nDetections;
  }

  /** Adds a value; afterwards `driftDetected` tells whether a change was found. */
  update(x: number): this {
    checkFiniteNumber(x, "ADWIN.update", "x");
    if (this.detected) this.helper = this.fresh();
    this.detected = this.helper.update(x);
    return this;
  }

  /** Saves the detector. */
  toJSON(): Checkpoint<{ detected: boolean; helper: AdaptiveWindowingState }> {
    return envelope("ADWIN", { detected: this.detected, helper: this.helper.state() });
  }

  /**
   * Restores a detector saved with `toJSON`. A damaged checkpoint throws a `LearnError`
   * (`ERR_LEARN_CHECKPOINT`) naming the path of the bad field.
   */
  static fromJSON(json: unknown): ADWIN {
    const s = openState(json, "ADWIN");
    const detected = s.boolean("detected");
    const h = AdaptiveWindowing.fromState(s.node("helper"));
    const a = new ADWIN({
      delta: h.delta,
      clock: h.clock,
      maxBuckets: h.maxBuckets,
      minWindowLength: h.minWindowLength,
      gracePeriod: h.gracePeriod,
    });
    a.helper = h;
    a.detected = detected;
    return a;
  }
}

registerCheckpointType("ADWIN", (c) => ADWIN.fromJSON(c));
