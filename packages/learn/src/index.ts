/**
 * `@weir/learn`: online machine learning for TypeScript that reproduces River number for number.
 * Zero runtime dependencies.
 *
 * @example
 * ```ts
 * import { BagOfWords, MultinomialNB, Pipeline, metrics } from "@weir/learn";
 * const model = new Pipeline(new BagOfWords({ lowercase: true }), new MultinomialNB());
 * const cm = new metrics.ConfusionMatrix({ classes: [0, 1] });
 * ```
 */
export { LearnError, LearnTypeError } from "./errors.js";
export type { LearnErrorCode } from "./errors.js";
export type { FeatureInput, Features, Label, Proba, TextInput } from "./types.js";
export { CHECKPOINT_VERSION, restore } from "./checkpoint.js";
export type { Checkpoint, Checkpointable, RestoreContext } from "./checkpoint.js";

export { BagOfWords } from "./feature-extraction/bag-of-words.js";
export { TFIDF } from "./feature-extraction/tfidf.js";
export type { TFIDFOptions } from "./feature-extraction/tfidf.js";
export type { VectorizerOptions } from "./feature-extraction/text-processor.js";
export { tokenize, allNgrams, NGRAM_SEPARATOR } from "./feature-extraction/tokenize.js";
export { stripAccents } from "./feature-extraction/unicode.js";

export { MultinomialNB } from "./naive-bayes/multinomial-nb.js";
export type { MultinomialNBOptions } from "./naive-bayes/multinomial-nb.js";
export { BernoulliNB } from "./naive-bayes/bernoulli-nb.js";
export type { BernoulliNBOptions } from "./naive-bayes/bernoulli-nb.js";
export { ComplementNB } from "./naive-bayes/complement-nb.js";
export type { ComplementNBOptions } from "./naive-bayes/complement-nb.js";

export { LogisticRegression } from "./linear-model/logistic-regression.js";
export type { LogisticRegressionOptions } from "./linear-model/logistic-regression.js";

export { Pipeline } from "./compose/pipeline.js";
export type { Classifier, Transformer } from "./compose/pipeline.js";

export * as metrics from "./metrics/index.js";
export * as drift from "./drift/index.js";
export { ADWIN } from "./drift/adwin.js";
export type { ADWINOptions } from "./drift/adwin.js";
export { PageHinkley } from "./drift/page-hinkley.js";
export type { PageHinkleyOptions } from "./drift/page-hinkley.js";

export { iterProgressiveValScore, progressiveValScore } from "./evaluate/progressive-val-score.js";
export type {
  OnlineClassifier,
  ProgressiveCheckpoint,
  ProgressiveMetric,
  ProgressiveValOptions,
} from "./evaluate/progressive-val-score.js";
