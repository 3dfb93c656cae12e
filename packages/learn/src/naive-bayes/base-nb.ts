import { LearnError } from "../errors.js";
import type { NumberSpec, StateNode } from "../internal/checkpoint-reader.js";
import { logSumExp } from "../internal/math.js";
import { checkLabel, toFeatureMap } from "../internal/validate.js";
import type { FeatureValues } from "../internal/validate.js";
import type { FeatureInput, Label, Proba } from "../types.js";

/**
 * What every naive Bayes checkpoint saves of the counts (each model adds its options and totals).
 * @internal
 */
export interface SavedCounts {
  classes: Label[];
  /** Times each class was learnt, aligned with `classes`. */
  classCounts: number[];
  features: string[];
  /** `counts[c][f]`: what class `c` learnt of feature `f`. */
  counts: number[][];
}

/**
 * What naive Bayes models share: classes in first-seen order, class counts, and turning joint
 * log-likelihoods into probabilities and a prediction (River's `BaseNB`).
 */
export abstract class BaseNB {
  /** Classes in the order they were first seen. */
  protected readonly labels: Label[] = [];
  /** @internal */
  protected readonly labelIndex = new Map<Label, number>();
  /** Times each class was learnt, aligned with `labels`. */
  protected readonly classCounts: number[] = [];
  /** Feature name → its column in `counts`. */
  protected readonly featureIndex = new Map<string, number>();
  /** Features in first-seen order (column order). */
  protected readonly featureNames: string[] = [];
  /** `counts[c][f]`: what class `c` learnt of feature `f`; columns grow by doubling `capacity`. */
  protected counts: Float64Array[] = [];
  protected capacity = 64;
  private jllScratch = new Float64Array(4);
  /** @internal Incremented whenever the model changes, so that callers can cache predictions. */
  revision = 0;
  private readonly name: string;
  /** What feature values `learnOne` and the predictions accept. */
  private readonly values: FeatureValues;

  protected constructor(name: string, values: FeatureValues) {
    this.name = name;
    this.values = values;
  }

  /** Classes seen so far, in first-seen order. */
  get classes(): Label[] {
    return [...this.labels];
  }

  /** Prior probability of a class: its share of the examples learnt (0 for an unseen class). */
  pClass(c: Label): number {
    const i = this.labelIndex.get(c);
    if (i === undefined) return 0;
    let total = 0;
    for (const n of this.classCounts) total += n;
    return (this.classCounts[i] as number) / total;
  }

  /**
   * Learns one example. `x` maps feature names to finite values (≥ 0 for the count models:
   * counts, TF-IDF weights); anything else throws a `LearnTypeError` naming the feature.
   */
  learnOne(x: FeatureInput, y: Label): this {
    checkLabel(y, `${this.name}.learnOne`);
    const features = toFeatureMap(x, `${this.name}.learnOne`, this.values);
    const c = this.classSlot(y);
    (this.classCounts[c] as number) += 1;
    this.revision++;
    this.learnFeatures(features, c);
    return this;
  }

  /** Joint log-likelihood `log P(c) + log P(x|c)` per class (River's `joint_log_likelihood`). */
  jointLogLikelihood(x: FeatureInput): Map<Label, number> {
    const features = toFeatureMap(x, `${this.name}.jointLogLikelihood`, this.values);
    const out = new Map<Label, number>();
    const k = this.labels.length;
    if (k === 0) return out;
    const jll = this.scratch(k);
    this.computeJll(features, jll);
    for (let c = 0; c < k; c++) out.set(this.labels[c] as Label, jll[c] as number);
    return out;
  }

  /** Class probabilities, in first-seen class order; empty before anything was learnt. */
  predictProbaOne(x: FeatureInput): Proba {
    const features = toFeatureMap(x, `${this.name}.predictProbaOne`, this.values);
    const out: Proba = new Map();
    const k = this.labels.length;
    if (k === 0) return out;
    const jll = this.scratch(k);
    this.computeJll(features, jll);
    const lse = logSumExp(jll, k);
    for (let c = 0; c < k; c++) out.set(this.labels[c] as Label, Math.exp((jll[c] as number) - lse));
    return out;
  }

  /**
   * The most probable class (ties go to the class seen first), or `undefined` before anything
   * was learnt. Never changes the model.
   */
  predictOne(x: FeatureInput): Label | undefined {
    const features = toFeatureMap(x, `${this.name}.predictOne`, this.values);
    const k = this.labels.length;
    if (k === 0) return undefined;
    const jll = this.scratch(k);
    this.computeJll(features, jll);
    // Decide on the probabilities, as River does, so that ties after exp() resolve identically.
    const lse = logSumExp(jll, k);
    let best = 0;
    let bestP = Math.exp((jll[0] as number) - lse);
    for (let c = 1; c < k; c++) {
      const p = Math.exp((jll[c] as number) - lse);
      if (p > bestP) {
        bestP = p;
        best = c;
      }
    }
    return this.labels[best];
  }

  /** What class `c` learnt of feature `f`: 0 for a class or a feature never seen. @internal */
  protected countOf(f: string, c: Label): number {
    const ci = this.labelIndex.get(c);
    const fi = this.featureIndex.get(f);
    return ci === undefined || fi === undefined ? 0 : ((this.counts[ci] as Float64Array)[fi] as number);
  }

  /** `perClass[c]` for a class's entry in a per-class array: 0 for a class never seen. @internal */
  protected ofClass(perClass: readonly number[], c: Label): number {
    const ci = this.labelIndex.get(c);
    return ci === undefined ? 0 : (perClass[ci] as number);
  }

  /** @internal Class labels by index (do not modify). */
  get labelList(): readonly Label[] {
    return this.labels;
  }

  /** Index of a class, registering it if new. @internal */
  protected classSlot(y: Label): number {
    let i = this.labelIndex.get(y);
    if (i === undefined) {
      i = this.labels.length;
      this.labels.push(y);
      this.labelIndex.set(y, i);
      this.classCounts.push(0);
      this.counts.push(new Float64Array(this.capacity));
      this.addClass();
    }
    return i;
  }

  /** @internal Column of a feature, adding it (and growing every column array) if new. */
  featureSlot(f: string): number {
    let fi = this.featureIndex.get(f);
    if (fi === undefined) {
      fi = this.featureNames.length;
      this.featureNames.push(f);
      this.featureIndex.set(f, fi);
      if (fi >= this.capacity) {
        this.capacity *= 2;
        this.counts = this.counts.map((a) => grow(a, this.capacity));
        this.growColumns(this.capacity);
      }
    }
    return fi;
  }

  /** The counts to save in a checkpoint. @internal */
  protected savedCounts(): SavedCounts {
    const nf = this.featureNames.length;
    return {
      classes: [...this.labels],
      classCounts: [...this.classCounts],
      features: [...this.featureNames],
      counts: this.counts.map((row) => Array.from(row.subarray(0, nf))),
    };
  }

  /** Loads counts read by `readCounts` into this new model (growing storage through the hooks). @internal */
  protected loadCounts(saved: SavedCounts): void {
    for (const f of saved.features) this.featureSlot(f);
    saved.classes.forEach((label, c) => {
      this.classSlot(label);
      this.classCounts[c] = saved.classCounts[c] as number;
      (this.counts[c] as Float64Array).set(saved.counts[c] as number[]);
    });
  }

  private scratch(k: number): Float64Array {
    if (this.jllScratch.length < k) this.jllScratch = new Float64Array(k * 2);
    return this.jllScratch;
  }

  /** Allocates per-class storage beyond `counts` for a class just added. @internal */
  protected addClass(): void {}
  /** Grows per-feature storage beyond `counts` to `capacity` columns. @internal */
  protected growColumns(_capacity: number): void {}
  /** Learns validated features for class index `c` (its count is already incremented). @internal */
  protected abstract learnFeatures(x: ReadonlyMap<string, number>, c: number): void;
  /** Writes the joint log-likelihood of each class into `out[0..k)`. @internal */
  protected abstract computeJll(x: ReadonlyMap<string, number>, out: Float64Array): void;
}

/**
 * The error for a term River cannot compute either: `log(num / den)` with `den = 0` (River:
 * `ZeroDivisionError`) or `num / den = 0` (River: `ValueError: math domain error`), which happens
 * with `alpha = 0` for a feature the class never saw. @internal
 */
export function undefinedLogError(
  model: string,
  feature: string,
  c: Label,
  num: number,
  den: number,
  alpha: number,
): LearnError {
  const where = `${model} cannot score feature ${JSON.stringify(feature)} for class ${JSON.stringify(c)}`;
  const fix =
    alpha === 0
      ? "Use alpha > 0 (the default is 1) so that features a class has not seen keep a non-zero probability."
      : "Learn examples with features before predicting.";
  const message =
    den === 0
      ? `${where}: its probability divides by zero (${num} / ${den}; River raises ZeroDivisionError). ${fix}`
      : `${where}: its probability is ${num} / ${den} = 0 and log(0) is undefined (River raises "math domain error"). ${fix}`;
  return new LearnError(message, "ERR_LEARN_MATH_DOMAIN");
}

/**
 * Reads the counts of a naive Bayes checkpoint, each field checked: distinct classes, each learnt
 * at least once, distinct features, and a `classes × features` table whose class-`c` row is within
 * `cellSpec(classCount)`. @internal
 */
export function readCounts(s: StateNode, cellSpec: (classCount: number) => NumberSpec): SavedCounts {
  const classes = s.labels("classes");
  const k = classes.length;
  const classCounts = s.numbers("classCounts", k, { integer: true, min: 1 }, (c) => classNote(classes, c));
  const features = s.strings("features");
  const counts = s.matrix(
    "counts",
    k,
    features.length,
    (c) => cellSpec(classCounts[c] as number),
    (c, f) => cellNote(classes, c, features, f),
  );
  return { classes, classCounts, features, counts };
}

/** `class 0` for error messages about checkpoint fields. @internal */
export function classNote(classes: readonly Label[], c: number): string {
  return `class ${JSON.stringify(classes[c])}`;
}

/** `class 0, feature "good"` for error messages about checkpoint fields. */
function cellNote(classes: readonly Label[], c: number, features: readonly string[], f: number): string {
  return `class ${JSON.stringify(classes[c])}, feature ${JSON.stringify(features[f])}`;
}

/** Grows a `Float64Array` to at least `n` entries, keeping its contents. @internal */
export function grow(a: Float64Array, n: number): Float64Array {
  if (a.length >= n) return a;
  const b = new Float64Array(Math.max(n, a.length * 2, 16));
  b.set(a);
  return b;
}
