import { envelope, openState, registerCheckpointType } from "../checkpoint.js";
import type { Checkpoint } from "../checkpoint.js";
import { checkOptions, numberOption } from "../internal/validate.js";
import type { Label } from "../types.js";
import type { StateNode } from "../internal/checkpoint-reader.js";
import { BaseNB, grow, readCounts, undefinedLogError } from "./base-nb.js";
import type { SavedCounts } from "./base-nb.js";

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

interface ComplementNBState extends SavedCounts {
  alpha: number;
  /** Sum of the counts of each feature over the classes, aligned with `features`. */
  featureTotals: number[];
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
    return envelope("ComplementNB", {
      alpha: this.alpha,
      ...this.savedCounts(),
      featureTotals: Array.from(this.featureTotals.subarray(0, this.featureNames.length)),
    });
  }

  /**
   * Restores a model saved with `toJSON`. A damaged checkpoint throws a `LearnError`
   * (`ERR_LEARN_CHECKPOINT`) naming the path of the bad field.
   */
  static fromJSON(json: unknown): ComplementNB {
    const s = openState(json, "ComplementNB");
    const m = new ComplementNB({ alpha: s.number("alpha", { min: 0 }) });
    const saved = readCounts(s, () => ({ min: 0 }));
    const featureTotals = readFeatureTotals(s, saved);
    m.loadCounts(saved);
    m.featureTotals.set(featureTotals);
    return m;
  }
}

/**
 * Reads the feature totals: a total below a class's own count would make a complement count
 * negative (the log of a number < 0).
 */
function readFeatureTotals(s: StateNode, saved: SavedCounts): number[] {
  const note = (f: number): string => `feature ${JSON.stringify(saved.features[f])}`;
  const totals = s.numbers("featureTotals", saved.features.length, { min: 0 }, note);
  totals.forEach((t, f) => {
    const most = Math.max(0, ...saved.counts.map((row) => row[f] as number));
    if (t < most) {
      s.fail(
        `.featureTotals[${f}]`,
        `a number ≥ ${most} (its largest count in one class)`,
        t,
        ` (${note(f)})`,
      );
    }
  });
  return totals;
}

registerCheckpointType("ComplementNB", (c) => ComplementNB.fromJSON(c));
