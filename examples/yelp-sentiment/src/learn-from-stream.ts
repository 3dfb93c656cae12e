import type { EventInput, Stream, StreamEvent, Subscription } from "@weir/stream";

import { OffsetSequencer } from "./offset-sequencer.js";
import { SentimentModel } from "./sentiment-model.js";
import type { SentimentModelState, SentimentStep } from "./sentiment-model.js";
import { EVENT_TYPES, METRICS_TOPIC, MODEL_GROUP, PIPELINE_TOPIC } from "./topics.js";
import type { MetricsEvent, ReviewEvent } from "./topics.js";

/**
 * Deliveries of a review before the stream dead-letters it: never, in practice. Redeliveries here
 * are crash replays and reviews held back for offset order and handed back (nack) — neither means
 * the review is bad (a bad payload is acknowledged and reported). On NATS a killed member's
 * reviews come back only after the ack wait, so a restarted subscriber hands later reviews back
 * again and again meanwhile; with the stream's default of 5, a few crashes dead-lettered thousands
 * of reviews, which the gap timeout then skipped unlearned.
 */
const MAX_DELIVER = 1_000_000;

/** What the model subscriber saves: everything learned, and the last offset it covers. */
export interface SubscriberCheckpoint {
  readonly model: SentimentModelState;
  /** Every pipeline event at or below this offset is in `model`. */
  readonly lastOffset: number;
  readonly savedAt: string;
}

/** Where checkpoints live (the flow's `ctx.checkpoint`, or anything that stores JSON atomically). */
export interface CheckpointStore {
  load(): Promise<SubscriberCheckpoint | undefined>;
  save(checkpoint: SubscriberCheckpoint): Promise<void>;
}

/** Options of {@link learnFromStream}. */
export interface LearnFromStreamOptions {
  readonly stream: Stream;
  readonly checkpoints: CheckpointStore;
  /** @default "river_pipeline" */
  readonly inputTopic?: string;
  /** @default "river_metrics" */
  readonly metricsTopic?: string;
  /** @default "sentiment-model" */
  readonly group?: string;
  /** Checkpoint after this many new events… @default 1000 */
  readonly checkpointEvery?: number;
  /** …or when the oldest unsaved event is this old. @default 1000 */
  readonly checkpointIntervalMs?: number;
  /** Unacknowledged events are redelivered after this long. @default max(30000, 20 × checkpointIntervalMs) */
  readonly ackWaitMs?: number;
  /** Called after each learned event (e.g. to `logMetric`). */
  readonly onStep?: (step: SentimentStep, offset: number) => void;
  /** Called after each checkpoint. */
  readonly onCheckpoint?: (checkpoint: SubscriberCheckpoint) => void;
  /** Called for an event whose payload is not a review; it is skipped (and acknowledged). */
  readonly onInvalid?: (offset: number, reason: string) => void;
  /** Called when an event arrives ahead of a missing offset, which is then waited for. */
  readonly onOutOfOrder?: (expected: number, received: number, deliveryCount: number) => void;
  /**
   * Called when offsets never arrived within `gapTimeoutMs` and are skipped (e.g. removed by
   * retention, or moved to the dead-letter topic).
   */
  readonly onGap?: (from: number, to: number) => void;
  /** How long to wait for a missing offset before skipping it. @default 2 × ackWaitMs + 5000 */
  readonly gapTimeoutMs?: number;
  /** Stops the loop; a final checkpoint is written and covered events are acknowledged. */
  readonly signal?: AbortSignal;
}

/** What {@link learnFromStream} returns after a clean stop. */
export interface LearnResult {
  readonly model: SentimentModel;
  /** The offset the last checkpoint covers (0 when nothing was learned). */
  readonly lastOffset: number;
  /** Events learned by this process (replays of checkpointed events excluded). */
  readonly learned: number;
  /** Deliveries skipped because a checkpoint already held them. */
  readonly skipped: number;
}

/**
 * The model subscriber's loop, with exactly-once learning on an at-least-once stream.
 *
 * For each review: predict, score, publish `{ precision, recall, n, offset }` to the metrics
 * topic (the source offset is the idempotency key), learn. Events are acknowledged only after
 * a checkpoint `{ model, lastOffset }` covering them is saved, and a checkpoint is saved only
 * after the metrics it covers are durable. After a crash the model is restored and events at or
 * below `lastOffset` are acknowledged without learning; the others are learned again from the
 * same state, so they yield the same metrics, which the topic stores once. Events are learned
 * strictly in offset order ({@link OffsetSequencer}): one that arrives late, behind later ones,
 * is waited for, never mistaken for a redelivery.
 *
 * @example
 * const result = await learnFromStream({ stream, checkpoints, signal });
 * console.log(result.model.report.toString());
 */
export async function learnFromStream(options: LearnFromStreamOptions): Promise<LearnResult> {
  const inputTopic = options.inputTopic ?? PIPELINE_TOPIC;
  const metricsTopic = options.metricsTopic ?? METRICS_TOPIC;
  const every = options.checkpointEvery ?? 1000;
  const intervalMs = options.checkpointIntervalMs ?? 1000;
  const saved = await options.checkpoints.load();
  const model = saved === undefined ? new SentimentModel() : SentimentModel.fromJSON(saved.model);
  let savedOffset = saved?.lastOffset ?? 0;
  let learned = 0;
  let skipped = 0;
  let unsaved: StreamEvent[] = [];
  let publishes: Promise<unknown>[] = [];
  // Metrics of the events learned since the last flush, published in one call per batch of deliveries.
  let metricsBatch: EventInput[] = [];
  let flushScheduled = false;
  let oldestUnsavedAt = 0;
  let saving: Promise<void> = Promise.resolve();
  let savesInFlight = 0;
  /** Set when the loop ended: the final checkpoint is the last one. */
  let stopping = false;
  let failure: unknown;

  // Events stay unacknowledged until a checkpoint covers them, and learning goes on while one is
  // saved: room for the events of several checkpoints.
  const maxInFlight = Math.max(1000, 8 * every);
  const ackWaitMs = options.ackWaitMs ?? Math.max(30_000, 20 * intervalMs);
  const gapTimeoutMs = options.gapTimeoutMs ?? 2 * ackWaitMs + 5000;
  const group = options.group ?? MODEL_GROUP;
  const info = await options.stream.topicInfo(inputTopic);
  const groupAcked = info.groups.find((g) => g.name === group)?.ackedOffset ?? 0;
  const sequencer = new OffsetSequencer<StreamEvent>(
    Math.max(savedOffset, groupAcked, info.firstOffset - 1) + 1,
  );
  let learnedOffset = sequencer.expected - 1;
  const subscription: Subscription = options.stream.subscribe(inputTopic, {
    group,
    from: "earliest",
    maxInFlight,
    ackWaitMs,
    maxDeliver: MAX_DELIVER,
    signal: options.signal,
  });
  const stop = (): void => void subscription.close();

  const flushMetrics = (): void => {
    flushScheduled = false;
    if (metricsBatch.length === 0) return;
    publishes.push(options.stream.publish(metricsTopic, metricsBatch));
    metricsBatch = [];
  };

  const checkpoint = (): Promise<void> => {
    savesInFlight += 1;
    saving = saving.then(async () => {
      if (unsaved.length === 0 || failure !== undefined) return;
      // The metrics of every event the snapshot covers are sent before it is taken, and are
      // durable before it is saved.
      flushMetrics();
      // Taken synchronously, so the snapshot, the offset and the events to acknowledge agree.
      const snapshot: SubscriberCheckpoint = {
        model: model.toJSON(),
        lastOffset: learnedOffset,
        savedAt: new Date().toISOString(),
      };
      const covered = unsaved;
      const durable = publishes;
      unsaved = [];
      publishes = [];
      await Promise.all(durable);
      await options.checkpoints.save(snapshot);
      savedOffset = snapshot.lastOffset;
      options.onCheckpoint?.(snapshot);
      await Promise.all(covered.map((event) => event.ack()));
    });
    saving = saving
      .catch((error: unknown) => {
        failure ??= error;
        stop();
      })
      .finally(() => {
        savesInFlight -= 1;
        // What was learned while this one was saved is checkpointed next, without waiting for more.
        if (savesInFlight === 0 && !stopping && checkpointDue()) void checkpoint();
      });
    return saving;
  };

  const learn = (event: StreamEvent): void => {
    if (unsaved.length === 0) oldestUnsavedAt = performance.now();
    unsaved.push(event);
    learnedOffset = event.offset;
    const review = parseReview(event);
    if (typeof review === "string") {
      options.onInvalid?.(event.offset, review);
      return;
    }
    const step = model.step(review.text, review.sentiment);
    learned += 1;
    metricsBatch.push(metricsEvent(inputTopic, step, event));
    if (metricsBatch.length >= METRICS_BATCH) flushMetrics();
    else if (!flushScheduled) {
      // After the deliveries at hand are learned, before waiting for more.
      flushScheduled = true;
      setImmediate(flushMetrics);
    }
    options.onStep?.(step, event.offset);
  };
  const checkpointDue = (): boolean =>
    unsaved.length >= every || (unsaved.length > 0 && performance.now() - oldestUnsavedAt >= intervalMs);

  const timer = setInterval(
    () => {
      if (sequencer.waiting > 0 && sequencer.gapAgeMs() >= gapTimeoutMs) {
        const { skipped: gap, ready } = sequencer.skipGap();
        if (gap !== undefined) options.onGap?.(gap[0], gap[1]);
        ready.forEach(learn);
      }
      if (savesInFlight === 0 && checkpointDue()) void checkpoint();
    },
    Math.max(50, intervalMs / 4),
  );
  options.signal?.addEventListener("abort", stop, { once: true });
  try {
    for await (const event of subscription) {
      if (failure !== undefined) break;
      const { ready, duplicate } = sequencer.accept(event);
      if (duplicate) {
        // A redelivery of an offset already learned: acknowledge it once a checkpoint covers it.
        skipped += 1;
        if (event.offset <= savedOffset) await event.ack();
        else unsaved.push(event);
        continue;
      }
      if (ready.length === 0 && sequencer.waiting === 1) {
        options.onOutOfOrder?.(sequencer.expected, event.offset, event.deliveryCount);
      }
      ready.forEach(learn);
      if (sequencer.waiting >= maxInFlight / 2) {
        // Held events fill the subscriber's window while the missing one is still out: hand them
        // back for later, so that there is room to receive it.
        await Promise.all(sequencer.takeWaiting().map((held) => held.nack({ delayMs: ackWaitMs / 2 })));
      }
      // Learning goes on while a checkpoint is saved; the next one starts when it is done (it then
      // covers everything learned meanwhile), so a slow save never stalls learning.
      if (savesInFlight === 0 && checkpointDue()) void checkpoint();
    }
    stopping = true;
    await checkpoint();
  } finally {
    stopping = true; // also when the subscription failed: no checkpoint starts after this
    clearInterval(timer);
    options.signal?.removeEventListener("abort", stop);
    await subscription.close();
  }
  if (failure !== undefined)
    throw failure instanceof Error ? failure : new Error("The checkpoint failed", { cause: failure });
  return { model, lastOffset: savedOffset, learned, skipped };
}

function parseReview(event: StreamEvent): ReviewEvent | string {
  let data: unknown;
  try {
    data = event.json();
  } catch {
    return "the payload is not JSON";
  }
  const review = data as Partial<ReviewEvent> | null;
  if (typeof review?.text !== "string") return 'the payload has no string "text"';
  if (typeof review.sentiment !== "number") return 'the payload has no numeric "sentiment"';
  return review as ReviewEvent;
}

/** Metrics events published in one call at most. */
const METRICS_BATCH = 1024;

function metricsEvent(sourceTopic: string, step: SentimentStep, source: StreamEvent): EventInput {
  const data: MetricsEvent = {
    precision: step.precision,
    recall: step.recall,
    n: step.n,
    offset: source.offset,
    sourceAt: source.createdAt.getTime(),
  };
  return {
    data,
    mimetype: "application/json",
    typeName: EVENT_TYPES.metrics,
    typeVersion: 1,
    idempotencyKey: `${sourceTopic}:${source.offset}`,
  };
}
