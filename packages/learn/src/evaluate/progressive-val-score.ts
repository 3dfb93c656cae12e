import { LearnTypeError } from "../errors.js";
import { describe } from "../internal/validate.js";
import type { Label, Proba } from "../types.js";

/**
 * A model that can be scored progressively.
 *
 * @example
 * ```ts
 * const model: OnlineClassifier<string> = new Pipeline(new BagOfWords(), new MultinomialNB());
 * ```
 */
export interface OnlineClassifier<X> {
  predictOne(x: X): Label | undefined;
  predictProbaOne?(x: X): Proba;
  learnOne(x: X, y: Label): unknown;
}

/**
 * A metric fed labels, or probabilities when `requiresLabels` is false.
 *
 * @example
 * ```ts
 * const metric: ProgressiveMetric = new metrics.Accuracy();
 * ```
 */
export interface ProgressiveMetric {
  update(yTrue: Label, yPred: never, weight?: number): unknown;
  get(): unknown;
  readonly requiresLabels?: boolean;
}

/**
 * Options of the progressive validation functions.
 *
 * @example
 * ```ts
 * iterProgressiveValScore(rows, model, metric, { step: 1000, signal: AbortSignal.timeout(60_000) });
 * ```
 */
export interface ProgressiveValOptions {
  /** Yield (or report) every `step` examples. @default 1 for the iterator, off for the score */
  step?: number | undefined;
  /** Stop early. */
  signal?: AbortSignal | undefined;
}

/**
 * What `iterProgressiveValScore` yields.
 *
 * @example
 * ```ts
 * for await (const { step, value } of iterProgressiveValScore(rows, model, metric)) console.log(step, value);
 * ```
 */
export interface ProgressiveCheckpoint<M> {
  /** Examples processed so far. */
  step: number;
  /** The metric object (its current state). */
  metric: M;
  /** `metric.get()` at this point. */
  value: unknown;
}

function checkArgs(dataset: unknown, model: unknown, metric: unknown, where: string): void {
  const iterable =
    typeof dataset === "object" &&
    dataset !== null &&
    (Symbol.iterator in dataset || Symbol.asyncIterator in dataset);
  if (!iterable)
    throw new LearnTypeError(
      `Argument "dataset" of ${where} must be an iterable of [x, y] pairs; got ${describe(dataset)}.`,
    );
  if (
    typeof model !== "object" ||
    model === null ||
    typeof (model as { learnOne?: unknown }).learnOne !== "function"
  ) {
    throw new LearnTypeError(
      `Argument "model" of ${where} must have learnOne and predictOne; got ${describe(model)}.`,
    );
  }
  if (
    typeof metric !== "object" ||
    metric === null ||
    typeof (metric as { update?: unknown }).update !== "function"
  ) {
    throw new LearnTypeError(`Argument "metric" of ${where} must be a metric; got ${describe(metric)}.`);
  }
}

/**
 * Progressive validation (River's `evaluate.iter_progressive_val_score`): for each `[x, y]`,
 * predict, update the metric when there is a prediction, then learn. Yields every `step` examples
 * and once at the end. Accepts sync and async iterables.
 *
 * @example
 * ```ts
 * for await (const { step, value } of iterProgressiveValScore(rows, model, new Accuracy(), { step: 100 })) {
 *   console.log(step, value);
 * }
 * ```
 */
export async function* iterProgressiveValScore<X, M extends ProgressiveMetric>(
  dataset: Iterable<readonly [X, Label]> | AsyncIterable<readonly [X, Label]>,
  model: OnlineClassifier<X>,
  metric: M,
  options: ProgressiveValOptions = {},
): AsyncGenerator<ProgressiveCheckpoint<M>, void, undefined> {
  checkArgs(dataset, model, metric, "iterProgressiveValScore");
  const step = options.step ?? 1;
  if (!Number.isInteger(step) || step < 1) {
    throw new LearnTypeError(
      `Option "step" of iterProgressiveValScore must be a positive integer; got ${describe(step)}.`,
    );
  }
  const useProba = metric.requiresLabels === false;
  let n = 0;
  let lastYield = 0;
  for await (const pair of dataset) {
    options.signal?.throwIfAborted();
    if (!Array.isArray(pair) || pair.length < 2) {
      throw new LearnTypeError(`Each item of "dataset" must be an [x, y] pair; got ${describe(pair)}.`);
    }
    const [x, y] = pair as readonly [X, Label];
    if (useProba) {
      if (typeof model.predictProbaOne !== "function") {
        throw new LearnTypeError("The metric needs probabilities but the model has no predictProbaOne.");
      }
      const proba = model.predictProbaOne(x);
      if (proba.size > 0) metric.update(y, proba as never);
    } else {
      const yPred = model.predictOne(x);
      if (yPred !== undefined) metric.update(y, yPred as never);
    }
    model.learnOne(x, y);
    n++;
    if (n % step === 0) {
      lastYield = n;
      yield { step: n, metric, value: metric.get() };
    }
  }
  if (lastYield !== n) yield { step: n, metric, value: metric.get() };
}

/**
 * Runs progressive validation over the whole dataset and resolves with the metric.
 *
 * @example
 * ```ts
 * const acc = await progressiveValScore(rows, model, new Accuracy());
 * String(acc); // "Accuracy: 74.10%"
 * ```
 */
export async function progressiveValScore<X, M extends ProgressiveMetric>(
  dataset: Iterable<readonly [X, Label]> | AsyncIterable<readonly [X, Label]>,
  model: OnlineClassifier<X>,
  metric: M,
  options: { signal?: AbortSignal | undefined } = {},
): Promise<M> {
  // Iterate with a huge step so that nothing but the final checkpoint is produced.
  for await (const _ of iterProgressiveValScore(dataset, model, metric, {
    step: Number.MAX_SAFE_INTEGER,
    signal: options.signal,
  })) {
    // drained
  }
  return metric;
}
