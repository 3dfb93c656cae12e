import { envelope, openState, registerCheckpointType, restore } from "../checkpoint.js";
import type { Checkpoint } from "../checkpoint.js";
import { LearnTypeError } from "../errors.js";
import { restoringAt } from "../internal/checkpoint-reader.js";
import { checkLabel, describe } from "../internal/validate.js";
import type { Label, Proba } from "../types.js";
import { TextNBFastPath } from "./text-nb-fast-path.js";

/**
 * A step that turns an input into features and may learn from inputs (unsupervised).
 *
 * @example
 * ```ts
 * const bow: Transformer<string, Map<string, number>> = new BagOfWords();
 * ```
 */
export interface Transformer<In = unknown, Out = unknown> {
  learnOne(x: In): unknown;
  transformOne(x: In): Out;
  toJSON(): Checkpoint;
  /** When true, `transformOne` is a pure function of its input. */
  readonly isStateless?: boolean;
}

/**
 * The last step of a pipeline.
 *
 * @example
 * ```ts
 * const nb: Classifier = new MultinomialNB();
 * ```
 */
export interface Classifier<In = unknown> {
  learnOne(x: In, y: Label): unknown;
  predictOne(x: In): Label | undefined;
  predictProbaOne(x: In): Proba;
  toJSON(): Checkpoint;
}

/**
 * Chains transformers and a final classifier, with River's `compose.Pipeline` semantics:
 * `learnOne` lets each transformer learn the input first and then transforms it (so TF-IDF counts
 * the current document before weighting it); `predictOne` and `predictProbaOne` only transform.
 *
 * @example
 * ```ts
 * const model = new Pipeline(new BagOfWords({ lowercase: true }), new MultinomialNB());
 * model.learnOne("Food was great", 1);
 * model.predictOne("great food"); // 1
 * ```
 */
export class Pipeline<In = unknown> {
  readonly steps: readonly [...Transformer[], Classifier];
  private readonly transformers: Transformer[];
  private readonly estimator: Classifier;
  private readonly cacheable: boolean;
  // Predict-then-learn on the same text is the usual loop: stateless transforms are reused.
  private lastInput: unknown = undefined;
  private lastFeatures: unknown = undefined;
  private readonly fast: TextNBFastPath | undefined;

  constructor(...steps: [...Transformer[], Classifier]) {
    if (steps.length === 0) {
      throw new LearnTypeError("Pipeline needs at least one step (the final classifier).");
    }
    steps.forEach((s, i) => {
      const last = i === steps.length - 1;
      const ok =
        typeof s === "object" &&
        s !== null &&
        typeof (s as { learnOne?: unknown }).learnOne === "function" &&
        (last
          ? typeof (s as { predictOne?: unknown }).predictOne === "function"
          : typeof (s as { transformOne?: unknown }).transformOne === "function");
      if (!ok) {
        throw new LearnTypeError(
          `Argument ${i + 1} of Pipeline must be ${last ? "a classifier (learnOne, predictOne, predictProbaOne)" : "a transformer (learnOne, transformOne)"}; got ${describe(s)}.`,
        );
      }
    });
    this.steps = steps;
    this.transformers = steps.slice(0, -1) as Transformer[];
    this.estimator = steps[steps.length - 1] as Classifier;
    this.cacheable = this.transformers.every((t) => t.isStateless === true);
    this.fast = TextNBFastPath.applies(steps)
      ? new TextNBFastPath(steps[0] as never, steps[1] as never)
      : undefined;
  }

  /** The final classifier. */
  get model(): Classifier {
    return this.estimator;
  }

  private transform(x: In): unknown {
    if (this.cacheable && typeof x === "string" && x === this.lastInput) return this.lastFeatures;
    let z: unknown = x;
    for (const t of this.transformers) z = t.transformOne(z);
    if (this.cacheable && typeof x === "string") {
      this.lastInput = x;
      this.lastFeatures = z;
    }
    return z;
  }

  /** Transformers learn (unsupervised) and transform in turn; the classifier learns the result. */
  learnOne(x: In, y: Label): this {
    checkLabel(y, "Pipeline.learnOne");
    if (this.fast !== undefined) {
      this.fast.learnOne(x, y);
      return this;
    }
    let z: unknown;
    if (this.cacheable) {
      z = this.transform(x);
    } else {
      z = x;
      for (const t of this.transformers) {
        t.learnOne(z);
        z = t.transformOne(z);
      }
    }
    this.estimator.learnOne(z, y);
    return this;
  }

  /** The classifier's prediction for the transformed input; `undefined` before any learning. */
  predictOne(x: In): Label | undefined {
    if (this.fast !== undefined) return this.fast.predictOne(x);
    return this.estimator.predictOne(this.transform(x));
  }

  /** The classifier's probabilities for the transformed input. */
  predictProbaOne(x: In): Proba {
    if (this.fast !== undefined) return this.fast.predictProbaOne(x);
    return this.estimator.predictProbaOne(this.transform(x));
  }

  /** Transforms without predicting (every transformer in turn). */
  transformOne(x: In): unknown {
    let z: unknown = x;
    for (const t of this.transformers) z = t.transformOne(z);
    return z;
  }

  /** Saves every step. */
  toJSON(): Checkpoint<{ steps: Checkpoint[] }> {
    return envelope("Pipeline", { steps: this.steps.map((s) => s.toJSON()) });
  }

  /**
   * Restores a pipeline saved with `toJSON`. A damaged checkpoint throws a `LearnError`
   * (`ERR_LEARN_CHECKPOINT`) naming the path of the bad field, e.g. `state.steps[1].state.counts`.
   */
  static fromJSON<T = unknown>(json: unknown): Pipeline<T> {
    const s = openState(json, "Pipeline");
    const saved = s.array("steps");
    if (saved.length === 0) s.fail(".steps", "at least one step (the final classifier)", saved, "", "none");
    const steps = saved.map((c, i) => {
      const step = restoringAt(`state.steps[${i}]`, () => restore(c));
      const last = i === saved.length - 1;
      const method = last ? "predictOne" : "transformOne";
      if (typeof (step as Record<string, unknown>)[method] !== "function") {
        const type = (c as { type?: unknown }).type;
        s.fail(
          `.steps[${i}]`,
          last ? "a classifier (the last step)" : "a transformer (every step but the last)",
          undefined,
          "",
          `a ${String(type)}`,
        );
      }
      return step;
    }) as [...Transformer[], Classifier];
    return new Pipeline<T>(...steps);
  }
}

registerCheckpointType("Pipeline", (c) => Pipeline.fromJSON(c));
