import { envelope, openState, registerCheckpointType } from "../checkpoint.js";
import type { Checkpoint } from "../checkpoint.js";
import { checkOptions, numberOption } from "../internal/validate.js";
import type { Label } from "../types.js";
import { BaseNB, cellNote, classNote, grow, undefinedLogError } from "./base-nb.js";

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
    super("ComplementNB", "count");
    const opts = checkOptions(options, "ComplementNB", ["alpha"]);
    this.alpha = numberOption(opts, "alpha", "ComplementNB", 1, { min: 0, finite: true });
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
      // Only a term River cannot compute (log(0), x/0) makes the sum non-finite: find it (cold).
      if (!(s > -Infinity && s < Infinity)) this.throwUndefinedTerm(x);
      out[c] = s;
    }
  }

  /** Throws where River would, scanning classes and features in River's order. */
  private throwUndefinedTerm(x: ReadonlyMap<string, number>): void {
    const nf = this.featureNames.length;
    for (let c = 0; c < this.labels.length; c++) {
      const row = this.counts[c] as Float64Array;
      let sumCc = 0;
      for (let fi = 0; fi < nf; fi++)
        sumCc += (this.featureTotals[fi] as number) + this.alpha - (row[fi] as number);
      for (const f of x.keys()) {
        const fi = this.featureIndex.get(f);
        const cc =
          fi === undefined
            ? this.alpha
            : (this.featureTotals[fi] as number) + this.alpha - (row[fi] as number);
        if (sumCc === 0 || cc / sumCc === 0) {
          throw undefinedLogError("ComplementNB", f, this.labels[c] as Label, cc, sumCc, this.alpha);
        }
      }
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

  /**
   * Restores a model saved with `toJSON`. A damaged checkpoint throws a `LearnError`
   * (`ERR_LEARN_CHECKPOINT`) naming the path of the bad field.
   */
  static fromJSON(json: unknown): ComplementNB {
    const s = openState(json, "ComplementNB");
    const alpha = s.number("alpha", { min: 0 });
    const classes = s.labels("classes");
    const k = classes.length;
    const classCounts = s.numbers("classCounts", k, { integer: true, min: 1 }, (c) => classNote(classes, c));
    const features = s.strings("features");
    const counts = s.matrix("counts", k, features.length, { min: 0 }, (c, f) =>
      cellNote(classes, c, features, f),
    );
    // A total below a class's own count would make a complement count negative (log of < 0).
    const featureTotals = s.numbers("featureTotals", features.length, { min: 0 }, (f) => {
      return `feature ${JSON.stringify(features[f])}`;
    });
    featureTotals.forEach((t, f) => {
      const most = Math.max(0, ...counts.map((row) => row[f] as number));
      if (t < most) {
        s.fail(
          `.featureTotals[${f}]`,
          `a number ≥ ${most} (its largest count in one class)`,
          t,
          ` (feature ${JSON.stringify(features[f])})`,
        );
      }
    });
    const m = new ComplementNB({ alpha });
    for (const f of features) m.featureSlot(f);
    m.featureTotals.set(featureTotals);
    classes.forEach((label, c) => {
      m.classSlot(label);
      m.classCounts[c] = classCounts[c] as number;
      (m.counts[c] as Float64Array).set(counts[c] as number[]);
    });
    return m;
  }
}

registerCheckpointType("ComplementNB", (c) => ComplementNB.fromJSON(c));
