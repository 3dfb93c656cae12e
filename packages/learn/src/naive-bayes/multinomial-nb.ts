import { envelope, openState, registerCheckpointType } from "../checkpoint.js";
import type { Checkpoint } from "../checkpoint.js";
import { LearnError, LearnTypeError } from "../errors.js";
import { checkOptions, describe, numberOption } from "../internal/validate.js";
import type { Label } from "../types.js";
import { BaseNB, classNote, readCounts, undefinedLogError } from "./base-nb.js";
import type { SavedCounts } from "./base-nb.js";

/**
 * Options of `MultinomialNB`.
 *
 * @example
 * ```ts
 * new MultinomialNB({ alpha: 0.5 });
 * ```
 */
export interface MultinomialNBOptions {
  /** Additive (Laplace/Lidstone) smoothing. @default 1 */
  alpha?: number | undefined;
}

interface MultinomialNBState extends SavedCounts {
  alpha: number;
  /** Sum of the counts of each class, aligned with `classes`. */
  classTotals: number[];
}

/**
 * Multinomial naive Bayes for counts or TF-IDF values, number for number River's
 * `naive_bayes.MultinomialNB`: `P(f|c) = (N_fc + α) / (N_c + α·n_terms)` where `n_terms` is the
 * number of distinct features seen so far; unseen features still count, and predicting never adds
 * features. Counts are additive, so models learnt on partitions can be combined with `merge`.
 *
 * @example
 * ```ts
 * const nb = new MultinomialNB();
 * nb.learnOne(new Map([["chinese", 2], ["beijing", 1]]), "yes");
 * nb.learnOne(new Map([["tokyo", 1], ["japan", 1]]), "no");
 * nb.predictOne(new Map([["chinese", 1]])); // "yes"
 * ```
 */
export class MultinomialNB extends BaseNB {
  readonly alpha: number;
  private readonly classTotals: number[] = [];
  private denScratch = new Float64Array(4);

  constructor(options?: MultinomialNBOptions) {
    super("MultinomialNB", "count");
    const opts = checkOptions(options, "MultinomialNB", ["alpha"]);
    this.alpha = numberOption(opts, "alpha", "MultinomialNB", 1, { min: 0, finite: true });
  }

  /** Number of distinct features seen so far. */
  get nTerms(): number {
    return this.featureNames.length;
  }

  /** `P(f|c)`; `0`-count and unseen features get the smoothed value. */
  pFeatureGivenClass(f: string, c: Label): number {
    const total = this.ofClass(this.classTotals, c);
    return (this.countOf(f, c) + this.alpha) / (total + this.alpha * this.nTerms);
  }

  /** Learnt state: class counts and totals, and per-feature counts by class (non-zero only). */
  get state(): {
    classCounts: Map<Label, number>;
    classTotals: Map<Label, number>;
    featureCounts: Map<string, Map<Label, number>>;
  } {
    const classCounts = new Map<Label, number>();
    const classTotals = new Map<Label, number>();
    this.labels.forEach((l, i) => {
      classCounts.set(l, this.classCounts[i] as number);
      classTotals.set(l, this.classTotals[i] as number);
    });
    const featureCounts = new Map<string, Map<Label, number>>();
    this.featureNames.forEach((f, fi) => {
      const m = new Map<Label, number>();
      this.labels.forEach((l, ci) => {
        const v = (this.counts[ci] as Float64Array)[fi] as number;
        if (v !== 0) m.set(l, v);
      });
      featureCounts.set(f, m);
    });
    return { classCounts, classTotals, featureCounts };
  }

  protected override addClass(): void {
    this.classTotals.push(0);
  }

  /** @internal Index of a known feature, or -1. */
  featureIndexOf(f: string): number {
    return this.featureIndex.get(f) ?? -1;
  }

  protected learnFeatures(x: ReadonlyMap<string, number>, c: number): void {
    let total = this.classTotals[c] as number;
    for (const [f, v] of x) {
      const fi = this.featureSlot(f);
      const row = this.counts[c] as Float64Array;
      row[fi] = (row[fi] as number) + v;
      total += v;
    }
    this.classTotals[c] = total;
  }

  /** @internal Learns a document given as feature indices and counts (all indices exist). */
  learnIndexed(y: Label, fis: Int32Array, values: Float64Array, n: number): void {
    this.revision++;
    const c = this.classSlot(y);
    (this.classCounts[c] as number) += 1;
    const row = this.counts[c] as Float64Array;
    let total = this.classTotals[c] as number;
    for (let i = 0; i < n; i++) {
      const fi = fis[i] as number;
      const v = values[i] as number;
      row[fi] = (row[fi] as number) + v;
      total += v;
    }
    this.classTotals[c] = total;
  }

  /**
   * @internal Joint log-likelihoods of a document given as feature indices (-1 = unseen) and
   * counts, written to `out`; returns the number of classes. Same arithmetic as `computeJll`.
   */
  jllIndexed(
    fis: Int32Array,
    values: Float64Array,
    n: number,
    out: Float64Array,
    nameOf: (i: number) => string,
  ): number {
    const k = this.labels.length;
    const alpha = this.alpha;
    const alphaTerms = alpha * this.nTerms;
    let total = 0;
    for (let c = 0; c < k; c++) total += this.classCounts[c] as number;
    for (let c = 0; c < k; c++) {
      const row = this.counts[c] as Float64Array;
      const den = (this.classTotals[c] as number) + alphaTerms;
      let s = 0;
      for (let i = 0; i < n; i++) {
        const fi = fis[i] as number;
        const num = (fi < 0 ? 0 : (row[fi] as number)) + alpha;
        s += (values[i] as number) * Math.log(num / den);
      }
      // Only a term River cannot compute (log(0), x/0) makes the sum non-finite: find it (cold).
      if (!(s > -Infinity && s < Infinity)) {
        for (let cc = 0; cc < k; cc++) {
          for (let i = 0; i < n; i++) {
            const fi = fis[i] as number;
            this.checkTerm(nameOf(i), cc, fi < 0 ? 0 : ((this.counts[cc] as Float64Array)[fi] as number));
          }
        }
      }
      out[c] = Math.log((this.classCounts[c] as number) / total) + s;
    }
    return k;
  }

  /** Throws where River would: a zero denominator, or `log(0)` (possible only with `alpha = 0`). */
  private checkTerm(f: string, c: number, count: number): void {
    const num = count + this.alpha;
    const den = (this.classTotals[c] as number) + this.alpha * this.nTerms;
    if (den === 0 || num / den === 0) {
      throw undefinedLogError("MultinomialNB", f, this.labels[c] as Label, num, den, this.alpha);
    }
  }

  protected computeJll(x: ReadonlyMap<string, number>, out: Float64Array): void {
    const k = this.labels.length;
    const alpha = this.alpha;
    const alphaTerms = alpha * this.nTerms;
    if (this.denScratch.length < k) this.denScratch = new Float64Array(k * 2);
    const den = this.denScratch;
    let n = 0;
    for (let c = 0; c < k; c++) n += this.classCounts[c] as number;
    for (let c = 0; c < k; c++) {
      den[c] = (this.classTotals[c] as number) + alphaTerms;
      out[c] = 0;
    }
    // Token-major loop (one map lookup per token); each class still sums its terms in x's order.
    const counts = this.counts;
    for (const [f, freq] of x) {
      const fi = this.featureIndex.get(f);
      if (fi === undefined) {
        for (let c = 0; c < k; c++) out[c] = (out[c] as number) + freq * Math.log(alpha / (den[c] as number));
      } else {
        for (let c = 0; c < k; c++) {
          const num = ((counts[c] as Float64Array)[fi] as number) + alpha;
          out[c] = (out[c] as number) + freq * Math.log(num / (den[c] as number));
        }
      }
    }
    for (let c = 0; c < k; c++) {
      const s = out[c] as number;
      // Only a term River cannot compute (log(0), x/0) makes the sum non-finite: find it (cold).
      if (!(s > -Infinity && s < Infinity)) {
        for (let cc = 0; cc < k; cc++) {
          for (const f of x.keys()) {
            const fi = this.featureIndex.get(f);
            this.checkTerm(f, cc, fi === undefined ? 0 : ((counts[cc] as Float64Array)[fi] as number));
          }
        }
      }
      out[c] = Math.log((this.classCounts[c] as number) / n) + s;
    }
  }

  /**
   * Adds another model's counts to this one (counts are additive): afterwards this model is the
   * model that would have learnt both streams. Classes and features new to this model are appended
   * in the other model's order. Returns `this`.
   *
   * @example
   * ```ts
   * const a = new MultinomialNB(), b = new MultinomialNB();
   * // … a and b learn different partitions …
   * a.merge(b);
   * ```
   */
  merge(other: MultinomialNB): this {
    if (!(other instanceof MultinomialNB)) {
      throw new LearnTypeError(
        `Argument "other" of MultinomialNB.merge must be a MultinomialNB; got ${describe(other)}.`,
      );
    }
    if (other.alpha !== this.alpha) {
      throw new LearnError(
        `Cannot merge MultinomialNB models with different alpha (${this.alpha} and ${other.alpha}).`,
        "ERR_LEARN_INCOMPATIBLE",
      );
    }
    this.revision++;
    const fmap = other.featureNames.map((f) => this.featureSlot(f));
    other.labels.forEach((label, oc) => {
      const c = this.classSlot(label);
      (this.classCounts[c] as number) += other.classCounts[oc] as number;
      (this.classTotals[c] as number) += other.classTotals[oc] as number;
      const src = other.counts[oc] as Float64Array;
      const dst = this.counts[c] as Float64Array;
      for (let fi = 0; fi < fmap.length; fi++) {
        const v = src[fi] as number;
        if (v !== 0) dst[fmap[fi] as number] = (dst[fmap[fi] as number] as number) + v;
      }
    });
    return this;
  }

  /** Saves the model. */
  toJSON(): Checkpoint<MultinomialNBState> {
    return envelope("MultinomialNB", {
      alpha: this.alpha,
      ...this.savedCounts(),
      classTotals: [...this.classTotals],
    });
  }

  /**
   * Restores a model saved with `toJSON`. A damaged checkpoint throws a `LearnError`
   * (`ERR_LEARN_CHECKPOINT`) naming the path of the bad field.
   */
  static fromJSON(json: unknown): MultinomialNB {
    const s = openState(json, "MultinomialNB");
    const m = new MultinomialNB({ alpha: s.number("alpha", { min: 0 }) });
    const saved = readCounts(s, () => ({ min: 0 }));
    const note = (c: number): string => classNote(saved.classes, c);
    const classTotals = s.numbers("classTotals", saved.classes.length, { min: 0 }, note);
    m.loadCounts(saved);
    classTotals.forEach((t, c) => (m.classTotals[c] = t));
    return m;
  }
}

registerCheckpointType("MultinomialNB", (c) => MultinomialNB.fromJSON(c));
