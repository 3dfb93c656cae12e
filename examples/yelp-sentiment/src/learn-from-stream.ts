import { consume } from "@weir/flow";
import type {
  ConsumeCheckpoint,
  ConsumeCheckpointStore,
  ConsumedEvent,
  ConsumeOptions,
  StaleCheckpointPolicy,
} from "@weir/flow";
import type { EventInput, Stream } from "@weir/stream";

import { SentimentModel } from "./sentiment-model.js";
import type { SentimentModelState, SentimentStep } from "./sentiment-model.js";
import { EVENT_TYPES, METRICS_TOPIC, MODEL_GROUP, PIPELINE_TOPIC } from "./topics.js";
import type { MetricsEvent, ReviewEvent } from "./topics.js";

/** What the model subscriber saves: the model, and the last offset it covers. */
export type SubscriberCheckpoint = ConsumeCheckpoint<SentimentModelState>;
/** Where checkpoints live: the flow's `ctx.checkpoint`. */
export type CheckpointStore = ConsumeCheckpointStore;
export type { StaleCheckpointPolicy };

/** Options of {@link learnFromStream}: those of `consume()` of `@weir/flow`, and the application's. */
export interface LearnFromStreamOptions extends Omit<
  ConsumeOptions<SentimentModel, ReviewEvent>,
  "topic" | "group" | "state" | "handle" | "decode"
> {
  readonly stream: Stream;
  /** @default "river_pipeline" */
  readonly inputTopic?: string;
  /** @default "river_metrics" */
  readonly metricsTopic?: string;
  /** @default "sentiment-model" */
  readonly group?: string;
  /** Called after each learned review (e.g. to `logMetric`). */
  readonly onStep?: (step: SentimentStep, offset: number) => void;
}

/** What {@link learnFromStream} returns after a clean stop. */
export interface LearnResult {
  readonly model: SentimentModel;
  /** The offset the last checkpoint covers (0 when nothing was learned). */
  readonly lastOffset: number;
  /** Reviews learned by this process (replays of checkpointed reviews excluded). */
  readonly learned: number;
  /** Deliveries skipped because a checkpoint already held them. */
  readonly skipped: number;
}

/**
 * The model subscriber's loop: for each review, predict, score, publish `{ precision, recall, n,
 * offset }` to the metrics topic, learn — exactly once across crashes, by `consume()` of
 * `@weir/flow` (checkpoints under `<group>:<inputTopic>`, acknowledgements, restore, offset order,
 * idempotency keys of the metrics, stale checkpoints). A payload that is not a review is skipped.
 *
 * @example
 * const result = await learnFromStream({ stream, checkpoints: ctx.checkpoint, signal });
 * console.log(result.model.report.toString());
 */
export async function learnFromStream(options: LearnFromStreamOptions): Promise<LearnResult> {
  const {
    inputTopic = PIPELINE_TOPIC,
    metricsTopic = METRICS_TOPIC,
    group = MODEL_GROUP,
    onStep,
    ...rest
  } = options;
  const result = await consume<SentimentModel, ReviewEvent>({
    ...rest,
    topic: inputTopic,
    group,
    checkpoints: readingLegacy(options.checkpoints),
    state: new SentimentModel(),
    decode: parseReview,
    handle: (review, model, { event, publish }) => {
      const step = model.step(review.text, review.sentiment);
      publish(metricsTopic, metricsEvent(step, event));
      onStep?.(step, event.offset);
    },
  });
  const { state: model, lastOffset, handled: learned, skipped } = result;
  return { model, lastOffset, learned, skipped };
}

/** Checkpoints saved before the subscriber used `consume()` held the model as `model`: read as `state`. */
function readingLegacy(store: CheckpointStore): CheckpointStore {
  return {
    save: (key, value) => store.save(key, value),
    load: async (key) => {
      const saved = (await store.load(key)) as { model?: unknown } | null | undefined;
      return saved && !("state" in saved) && "model" in saved ? { ...saved, state: saved.model } : saved;
    },
  };
}

function parseReview(event: ConsumedEvent): ReviewEvent {
  let data: unknown;
  try {
    data = event.json();
  } catch {
    throw new Error("the payload is not JSON");
  }
  const review = data as Partial<ReviewEvent> | null;
  if (typeof review?.text !== "string") throw new Error('the payload has no string "text"');
  if (typeof review.sentiment !== "number") throw new Error('the payload has no numeric "sentiment"');
  return review as ReviewEvent;
}

/** The metrics of one review; `consume()` keys it `<topic>:<topicId>:<offset>` of the review. */
function metricsEvent(step: SentimentStep, source: ConsumedEvent): EventInput {
  const data: MetricsEvent = {
    precision: step.precision,
    recall: step.recall,
    n: step.n,
    offset: source.offset,
    sourceAt: source.createdAt.getTime(),
  };
  return { data, mimetype: "application/json", typeName: EVENT_TYPES.metrics, typeVersion: 1 };
}
