import type { ModelVersion, PublishableModel, PublishModelOptions } from "@weir/flow";
import { metrics } from "@weir/learn";

import type { SubscriberCheckpoint } from "./learn-from-stream.js";
import type { SentimentModel, SentimentModelState } from "./sentiment-model.js";

/** The name the reference application publishes its model under. */
export const MODEL_NAME = "yelp-sentiment";

/** Options of {@link ModelPublisher}. */
export interface ModelPublisherOptions {
  /** @default "yelp-sentiment" */
  readonly name?: string;
  /** Publish a version each time this many more reviews were learned (0: only when stopping). @default 1000 */
  readonly every?: number;
  /** Stores a version: the flow's `ctx.models.publish`. */
  readonly publish: (
    name: string,
    model: PublishableModel,
    options: PublishModelOptions,
  ) => Promise<ModelVersion>;
  readonly logger: { info(message: string): void; error(message: string): void };
}

/**
 * Publishes the subscriber's model every N learned reviews, and once more when it stops.
 *
 * A version is published from a stored checkpoint (the first one at or past the next multiple of
 * N; one that covers several multiples, e.g. while catching up with a backlog, makes one version),
 * not from the live model: a version is then always a state the subscriber checkpointed, so a
 * restart after a crash — which restores that checkpoint and learns the rest again — never
 * publishes a second version of the same reviews, and the checkpoint's JSON is reused instead of
 * serializing the model twice. Publishes run one at a time, in order, beside the learning; one the
 * server refuses is logged and the next one goes on.
 *
 * @example
 * const publisher = new ModelPublisher({ publish: ctx.models.publish, logger: ctx.logger });
 * // consume({ …, onRestore: (c) => publisher.restored(c), onCheckpoint: (c) => publisher.checkpointed(c) })
 * await publisher.finish(model);
 */
export class ModelPublisher {
  readonly name: string;
  readonly #every: number;
  readonly #options: ModelPublisherOptions;
  /** Reviews in the last version published or queued (or restored: published by an earlier run). */
  #publishedAt = 0;
  #queue: Promise<void> = Promise.resolve();
  readonly #versions: ModelVersion[] = [];

  constructor(options: ModelPublisherOptions) {
    this.name = options.name ?? MODEL_NAME;
    this.#every = options.every ?? 1000;
    this.#options = options;
  }

  /** The versions this process published so far. */
  get versions(): readonly ModelVersion[] {
    return this.#versions;
  }

  /** The subscriber went on from a stored checkpoint: its state was published (or skipped) by the last run. */
  restored(checkpoint: SubscriberCheckpoint): void {
    this.#publishedAt = checkpoint.state.n;
  }

  /** A checkpoint was stored: publish it if it covers the next multiple of `every`. */
  checkpointed(checkpoint: SubscriberCheckpoint): void {
    const state = checkpoint.state;
    if (this.#every <= 0 || Math.floor(state.n / this.#every) <= Math.floor(this.#publishedAt / this.#every))
      return;
    this.#enqueue(state, checkpoint.lastOffset);
  }

  /**
   * Publishes the final model, unless this process learned nothing or that state is already
   * published, and waits for every publish.
   */
  async finish(model: SentimentModel, lastOffset: number, learned: number): Promise<readonly ModelVersion[]> {
    if (learned > 0 && model.count > this.#publishedAt) this.#enqueue(model.toJSON(), lastOffset);
    await this.#queue;
    return this.#versions;
  }

  #enqueue(state: SentimentModelState, offset: number): void {
    this.#publishedAt = state.n;
    const pipeline = state.model;
    const options: PublishModelOptions = {
      step: state.n,
      offset,
      metrics: scoresOf(state),
      inputType: "text",
      description: `Naive Bayes sentiment model after ${state.n} reviews`,
    };
    this.#queue = this.#queue.then(async () => {
      try {
        const version = await this.#options.publish(this.name, { toJSON: () => pipeline }, options);
        this.#versions.push(version);
        this.#options.logger.info(
          `Published ${this.name} version ${version.version} (${state.n} reviews learned)`,
        );
      } catch (error) {
        this.#options.logger.error(
          `Could not publish ${this.name} after ${state.n} reviews: ${(error as Error).message}`,
        );
      }
    });
  }
}

/** Precision and recall of class 0, and the accuracy, of the state's confusion matrix. */
function scoresOf(state: SentimentModelState): Record<string, number> {
  const cm = metrics.ConfusionMatrix.fromJSON(state.cm);
  const scores = new metrics.Metrics([
    new metrics.Precision({ cm, posVal: 0 }),
    new metrics.Recall({ cm, posVal: 0 }),
    new metrics.Accuracy({ cm }),
  ]).get();
  const [precision = 0, recall = 0, accuracy = 0] = scores;
  return { precision, recall, accuracy, reviews: state.n };
}
