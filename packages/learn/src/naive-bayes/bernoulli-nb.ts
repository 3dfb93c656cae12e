import { encodeNumber, envelope, openState, registerCheckpointType } from "../checkpoint.js";
import type { Checkpoint } from "../checkpoint.js";
import { checkOptions, numberOption } from "../internal/validate.js";
import type { Label } from "../types.js";
import { BaseNB, readCounts } from "./base-nb.js";
import type { SavedCounts } from "./base-nb.js";

/**
 * Options of `BernoulliNB`.
 *
 * @example
 * ```ts
 * new BernoulliNB({ alpha: 1, trueThreshold: 0.5 });
 * ```
 */
export interface BernoulliNBOptions {
  /** Additive smoothing. @default 1 */
  alpha?: number | undefined;
  /** A feature is "present" when its value is above this. @default 0 */
  trueThreshold?: number | undefined;
}

interface BernoulliNBState extends SavedCounts {
  alpha: number;
  /** A number, or `"Infinity"` / `"-Infinity"`. */
  trueThreshold: number | string;
}

/**
 * Bernoulli naive Bayes, as River's `naive_bayes.BernoulliNB`: every *known* feature contributes
 * `log(1e-9 + p)` when present and `log(1e-9 + (1 - p))` when absent, with
 * `p = (N_fc + α) / (N_c + 2α)`; features never learnt are ignored.
 *
 * @example
 * ```ts
 * const nb = new BernoulliNB();
 * nb.learnOne({ chinese: 2, beijing: 1 }, "yes");
 * nb.learnOne({ tokyo: 1, japan: 1 }, "no");
 * nb.predictOne({ chinese: 1 }); // "yes"
 * ```
 */
export class BernoulliNB extends BaseNB {
  readonly alpha: number;
  readonly trueThreshold: number;
  private present = new Uint8Array(64);

  constructor(options?: BernoulliNBOptions) {
    super("BernoulliNB", "finite");
    const opts = checkOptions(options, "BernoulliNB", ["alpha", "trueThreshold"]);
    this.alpha = numberOption(opts, "alpha", "BernoulliNB", 1, { min: 0, finite: true });
    this.trueThreshold = numberOption(opts, "trueThreshold", "BernoulliNB", 0);
  }

  /** Number of distinct features seen so far. */
  get nTerms(): number {
    return this.featureNames.length;
  }

  /** `P(f present | c)`. */
  pFeatureGivenClass(f: string, c: Label): number {
    return (this.countOf(f, c) + this.alpha) / (this.ofClass(this.classCounts, c) + this.alpha * 2);
  }

  protected learnFeatures(x: ReadonlyMap<string, number>, c: number): void {
    for (const [f, v] of x) {
      const fi = this.featureSlot(f);
      if (v > this.trueThreshold) {
        const row = this.counts[c] as Float64Array;
        row[fi] = (row[fi] as number) + 1;
      }
    }
  }

  protected computeJll(x: ReadonlyMap<string, number>, out: Float64Array): void {
    const k = this.labels.length;
    const nf = this.featureNames.length;
    if (this.present.length < nf) this.present = new Uint8Array(nf * 2);
    const present = this.present;
    const marked: number[] = [];
    for (const [f, v] of x) {
      const fi = this.featureIndex.get(f);
      if (fi !== undefined && v > this.trueThreshold) {
        present[fi] = 1;
        marked.push(fi);
      }
    }
    let n = 0;
    for (let c = 0; c < k; c++) n += this.classCounts[c] as number;
    for (let c = 0; c < k; c++) {
      const row = this.counts[c] as Float64Array;
      const den = (this.classCounts[c] as number) + this.alpha * 2;
      let s = 0;
      for (let fi = 0; fi < nf; fi++) {
        const p = ((row[fi] as number) + this.alpha) / den;
        s += present[fi] === 1 ? Math.log(10e-10 + p) : Math.log(10e-10 + (1.0 - p));
      }
      out[c] = Math.log((this.classCounts[c] as number) / n) + s;
    }
    for (const fi of marked) present[fi] = 0;
  }

  /** Saves the model. */
  toJSON(): Checkpoint<BernoulliNBState> {
    return envelope("BernoulliNB", {
      alpha: this.alpha,
      trueThreshold: encodeNumber(this.trueThreshold),
      ...this.savedCounts(),
    });
  }

  /**
   * Restores a model saved with `toJSON`. A damaged checkpoint throws a `LearnError`
   * (`ERR_LEARN_CHECKPOINT`) naming the path of the bad field.
   */
  static fromJSON(json: unknown): BernoulliNB {
    const s = openState(json, "BernoulliNB");
    const m = new BernoulliNB({
      alpha: s.number("alpha", { min: 0 }),
      trueThreshold: s.number("trueThreshold", { infinite: true }),
    });
    // A feature is present at most once per example, so a count above the class count is damage.
    m.loadCounts(readCounts(s, (classCount) => ({ integer: true, min: 0, max: classCount })));
    return m;
  }
}

registerCheckpointType("BernoulliNB", (c) => BernoulliNB.fromJSON(c));
