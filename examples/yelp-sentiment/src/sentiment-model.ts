import { BagOfWords, MultinomialNB, Pipeline, metrics } from "@weir/learn";

import { YelpExampleError } from "./errors.js";

/** What one prequential step produced. */
export interface SentimentStep {
  /** The model's guess before it learned the label; `undefined` for the very first review. */
  readonly predicted: number | undefined;
  /** Precision of class 0 (negative reviews) over every prediction so far; 0 before any. */
  readonly precision: number;
  /** Recall of class 0 over every prediction so far; 0 before any. */
  readonly recall: number;
  /** Reviews learned so far, this one included. */
  readonly n: number;
}

/** The serialisable state of a {@link SentimentModel}; what the subscriber checkpoints. */
export interface SentimentModelState {
  readonly n: number;
  readonly model: unknown;
  readonly cm: unknown;
  readonly report: unknown;
}

/**
 * The original application's online model and scores, in one object: `BagOfWords({ lowercase })`
 * + `MultinomialNB()`, a `ConfusionMatrix({ classes: [0, 1] })` read by Precision and Recall of
 * class 0, and a `ClassificationReport`. Each {@link SentimentModel.step} predicts, scores, then
 * learns, so the numbers match River's prequential loop exactly.
 *
 * @example
 * const model = new SentimentModel();
 * model.step("Food was great", 1); // { predicted: undefined, precision: 0, recall: 0, n: 1 }
 * const again = SentimentModel.fromJSON(JSON.parse(JSON.stringify(model.toJSON())));
 */
export class SentimentModel {
  private n: number;
  private readonly pipeline: Pipeline<string>;
  readonly cm: metrics.ConfusionMatrix;
  readonly report: metrics.ClassificationReport;
  private readonly pr: metrics.Metrics;

  constructor(state?: SentimentModelState) {
    if (state === undefined) {
      this.n = 0;
      this.pipeline = new Pipeline<string>(new BagOfWords({ lowercase: true }), new MultinomialNB());
      this.cm = new metrics.ConfusionMatrix({ classes: [0, 1] });
      this.report = new metrics.ClassificationReport();
    } else {
      try {
        this.n = state.n;
        this.pipeline = Pipeline.fromJSON<string>(state.model);
        this.cm = metrics.ConfusionMatrix.fromJSON(state.cm);
        this.report = metrics.ClassificationReport.fromJSON(state.report);
      } catch (cause) {
        throw new YelpExampleError(
          "WEIR_YELP_CHECKPOINT",
          "The saved sentiment model could not be restored. Delete the subscriber's checkpoint to start afresh.",
          { cause },
        );
      }
    }
    this.pr = new metrics.Metrics([
      new metrics.Precision({ cm: this.cm, posVal: 0 }),
      new metrics.Recall({ cm: this.cm, posVal: 0 }),
    ]);
  }

  /** Predict, score the prediction, then learn the true label. */
  step(text: string, sentiment: number): SentimentStep {
    const predicted = this.pipeline.predictOne(text) as number | undefined;
    if (predicted !== undefined) {
      this.cm.update(sentiment, predicted);
      this.report.update(sentiment, predicted);
    }
    const [precision = 0, recall = 0] = this.pr.get();
    this.pipeline.learnOne(text, sentiment);
    this.n += 1;
    return { predicted, precision, recall, n: this.n };
  }

  /** Reviews learned so far. */
  get count(): number {
    return this.n;
  }

  /** `[precision, recall]` of class 0. */
  scores(): [number, number] {
    const [precision = 0, recall = 0] = this.pr.get();
    return [precision, recall];
  }

  /** Everything needed to continue exactly where this model is; plain JSON. */
  toJSON(): SentimentModelState {
    return { n: this.n, model: this.pipeline.toJSON(), cm: this.cm.toJSON(), report: this.report.toJSON() };
  }

  /** Restores a model saved with {@link SentimentModel.toJSON}. */
  static fromJSON(state: SentimentModelState): SentimentModel {
    return new SentimentModel(state);
  }
}
