import type { ConsumedEvent } from "@weir/flow";

import { SentimentModel } from "./sentiment-model.js";
import type { SentimentModelState } from "./sentiment-model.js";

/**
 * An event of a model's feedback topic (`<model>.feedback`), as the Weir server publishes it when
 * a late label arrives: the served prediction joined with its true label (the fields this
 * application reads; see docs/models.md for all of them).
 */
export interface FeedbackEvent {
  /** The prediction id; the event's idempotency key, so each label is in the topic once. */
  readonly id: string;
  readonly version: number;
  readonly input: string;
  /** What the served version predicted (`null` before it had learned anything). */
  readonly prediction: number | string | boolean | null;
  readonly label: number | string | boolean;
}

/** The topic the server publishes a model's late labels to. */
export function feedbackTopicOf(model: string): string {
  return `${model}.feedback`;
}

/** What the feedback learner checkpoints. */
export interface FeedbackLearnerState {
  readonly model: SentimentModelState;
  readonly labels: number;
  readonly correct: number;
}

/**
 * The state of the feedback learner: how often the served predictions were right (per late
 * label), and a sentiment model that learns each labelled review (predict, score, learn, like the
 * subscriber). `consume()` hands it each feedback event exactly once.
 *
 * @example
 * const learner = new FeedbackLearner();
 * learner.learn({ id, version: 3, input: "The food was great", prediction: 1, label: 1 });
 * learner.servedAccuracy; // 1
 */
export class FeedbackLearner {
  readonly model: SentimentModel;
  #labels: number;
  #correct: number;

  constructor(state?: FeedbackLearnerState) {
    this.model = state === undefined ? new SentimentModel() : SentimentModel.fromJSON(state.model);
    this.#labels = state?.labels ?? 0;
    this.#correct = state?.correct ?? 0;
  }

  /** Late labels learned so far. */
  get labels(): number {
    return this.#labels;
  }

  /** The share of served predictions that matched their label (0 before any label). */
  get servedAccuracy(): number {
    return this.#labels === 0 ? 0 : this.#correct / this.#labels;
  }

  /** Scores the served prediction against the label, then learns the labelled review. */
  learn(feedback: FeedbackEvent, sentiment: number): void {
    this.#labels += 1;
    if (feedback.prediction !== null && String(feedback.prediction) === String(feedback.label))
      this.#correct += 1;
    this.model.step(feedback.input, sentiment);
  }

  toJSON(): FeedbackLearnerState {
    return { model: this.model.toJSON(), labels: this.#labels, correct: this.#correct };
  }

  static fromJSON(state: FeedbackLearnerState): FeedbackLearner {
    return new FeedbackLearner(state);
  }
}

/**
 * Reads a feedback event for a text model with 0/1 labels; throws (the event is skipped and
 * counted by `consume()`) when it is not one.
 */
export function parseFeedback(event: ConsumedEvent): { feedback: FeedbackEvent; sentiment: number } {
  let data: Partial<FeedbackEvent> | null;
  try {
    data = event.json<Partial<FeedbackEvent> | null>();
  } catch {
    throw new Error("the payload is not JSON");
  }
  if (typeof data?.input !== "string") throw new Error('the feedback has no text "input"');
  const sentiment = Number(data.label);
  if (data.label === undefined || !Number.isFinite(sentiment))
    throw new Error(`the label ${JSON.stringify(data.label)} is not a sentiment (0 or 1)`);
  return { feedback: data as FeedbackEvent, sentiment };
}
