import { envelope, openCheckpoint, registerCheckpointType } from "../checkpoint.js";
import type { Checkpoint } from "../checkpoint.js";
import { checkOptions, numberOption } from "../internal/validate.js";
import type { Label } from "../types.js";
import { BaseNB, grow } from "./base-nb.js";

/**
 * Options of `ComplementNB`.
 *
 * @example
 * ```ts
 * new ComplementNB({ alpha: 0.1 });
 * ```
 */
export interface ComplementNBOptions {
  /** Additive smoothing. @default 1 */
  alpha?: number | undefined;
}

interface ComplementNBState {
  alpha: number;
  classes: Label[];
  classCounts: number[];
  features: string[];
  featureTotals: number[];
  counts: number[][];
}

/**
 * Complement naive Bayes (Rennie et al. 2003), as River's `naive_bayes.ComplementNB`: each class
 * is scored by the complement counts `N_f + α − N_fc`; there is no class prior. Suited to
 * imbalanced classes.
 *
 * @example
 * ```ts
 * const nb = new ComplementNB();
 * nb.learnOne({ food: 2, meat: 1 }, "health");
 * nb.learnOne({ kitchen: 9, job: 5 }, "butcher");
 * nb.predictOne({ food: 1 }); // "health"
 * ```
 */
export class ComplementNB extends BaseNB {
  readonly alpha: number;
  private featureTotals: Float64Array = new Float64Array(64);

  constructor(options?: ComplementNBOptions) {
    super("ComplementNB");
    const opts = checkOptions(options, "ComplementNB", ["alpha"]);
    this.alpha = numberOption(opts, "alpha", "ComplementNB", 1, { min: 0 });
  }

  protected override growColumns(capacity: number): void {
    this.featureTotals = grow(this.featureTotals, capacity);
  }

  protected learnFeatures(x: ReadonlyMap<string, number>, c: number): void {
    for (const [f, v] of x) {
      const fi = this.featureSlot(f);
      const row = this.counts[c] as Float64Array;
      row[fi] = (row[fi] as number) + v;
      this.featureTotals[fi] = (this.featureTotals[fi] as number) + v;
    }
  }

  protected computeJll(x: ReadonlyMap<string, number>, out: Float64Array): void {
    const k = this.labels.length;
    const nf = this.featureNames.length;
    const alpha = this.alpha;
    const totals = this.featureTotals;
    for (let c = 0; c < k; c++) {
      const row = this.counts[c] as Float64Array;
      let sumCc = 0;
      for (let fi = 0; fi < nf; fi++) sumCc += (totals[fi] as number) + alpha - (row[fi] as number);
      let s = 0;
      for (const [f, freq] of x) {
        const fi = this.featureIndex.get(f);
        const cc = fi === undefined ? alpha : (totals[fi] as number) + alpha - (row[fi] as number);
        s += freq * -Math.log(cc / sumCc);
      }
      out[c] = s;
    }
  }

  /** Saves the model. */
  toJSON(): Checkpoint<ComplementNBState> {
    const nf = this.featureNames.length;
    return envelope("ComplementNB", {
      alpha: this.alpha,
      classes: [...this.labels],
      classCounts: [...this.classCounts],
      features: [...this.featureNames],
      featureTotals: Array.from(this.featureTotals.subarray(0, nf)),
      counts: this.counts.map((row) => Array.from(row.subarray(0, nf))),
    });
  }

  /** Restores a model saved with `toJSON`. */
  static fromJSON(json: unknown): ComplementNB {
    const s = openCheckpoint<ComplementNBState>(json, "ComplementNB");
    const m = new ComplementNB({ alpha: s.alpha });
    for (const f of s.features) m.featureSlot(f);
    m.featureTotals.set(s.featureTotals);
    s.classes.forEach((label, c) => {
      m.classSlot(label);
      m.classCounts[c] = s.classCounts[c] as number;
      (m.counts[c] as Float64Array).set(s.counts[c] as number[]);
    });
    return m;
  }
}

registerCheckpointType("ComplementNB", (c) => ComplementNB.fromJSON(c));
