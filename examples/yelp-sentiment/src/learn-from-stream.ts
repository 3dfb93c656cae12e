import type { EventInput, Stream, StreamEvent, Subscription, TopicInfo } from "@weir/stream";

import { YelpExampleError } from "./errors.js";
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
  /**
   * The incarnation of the input topic `lastOffset` counts in (`TopicInfo.topicId`): offsets start
   * over when the topic is deleted and created again. Missing in checkpoints saved before Weir
   * recorded it.
   */
  readonly topicId?: string;
  readonly savedAt: string;
}

/** What to do with a checkpoint saved for another incarnation of the input topic. */
export type StaleCheckpointPolicy = "start-fresh" | "fail";

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
  /** Called when the loaded checkpoint is taken up: learning goes on from it. */
  readonly onRestore?: (checkpoint: SubscriberCheckpoint) => void;
  /**
   * A checkpoint saved for another incarnation of the input topic (deleted and created again, or
   * the event log started on a new data directory) counts offsets the topic no longer has:
   * `"start-fresh"` sets it aside and learns the topic from a new model, `"fail"` stops with a
   * `WEIR_YELP_CHECKPOINT` error and leaves the checkpoint as it is. @default "start-fresh"
   */
  readonly staleCheckpoint?: StaleCheckpointPolicy;
  /** Called when a stale checkpoint is set aside (`staleCheckpoint: "start-fresh"`), with the topic's identity now. */
  readonly onStaleCheckpoint?: (checkpoint: SubscriberCheckpoint, topicId: string) => void;
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
 * is waited for, never mistaken for a redelivery. A checkpoint names the incarnation of the topic
 * its offsets count in (`topicId`), and one made for another incarnation is never taken up
 * ({@link LearnFromStreamOptions.staleCheckpoint}).
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
  const loaded = await options.checkpoints.load();
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
  const subscription: Subscription = options.stream.subscribe(inputTopic, {
    group,
    from: "earliest",
    maxInFlight,
    ackWaitMs,
    maxDeliver: MAX_DELIVER,
    signal: options.signal,
  });
  const stop = (): void => void subscription.close();
  let topicId: string;
  let info: TopicInfo;
  let saved: SubscriberCheckpoint | undefined;
  try {
    // The incarnation of the topic this subscription reads: the checkpoint must have been made for it.
    topicId = await subscription.topicId;
    info = await options.stream.topicInfo(inputTopic);
    if (info.topicId !== topicId)
      throw new YelpExampleError(
        "WEIR_YELP_CHECKPOINT",
        `Topic "${inputTopic}" was deleted and created again while the subscriber started; start it again.`,
      );
    saved = checkpointFor(loaded, topicId, info, options);
  } catch (error) {
    await subscription.close();
    // Stopped before the subscription attached: nothing was learned since the checkpoint.
    if (options.signal?.aborted && (error as { code?: unknown }).code === "WEIR_CLOSED") {
      const model = loaded === undefined ? new SentimentModel() : SentimentModel.fromJSON(loaded.model);
      return { model, lastOffset: loaded?.lastOffset ?? 0, learned: 0, skipped: 0 };
    }
    throw error;
  }
  const model = saved === undefined ? new SentimentModel() : SentimentModel.fromJSON(saved.model);
  let savedOffset = saved?.lastOffset ?? 0;
  const groupAcked = info.groups.find((g) => g.name === group)?.ackedOffset ?? 0;
  const sequencer = new OffsetSequencer<StreamEvent>(
    Math.max(savedOffset, groupAcked, info.firstOffset - 1) + 1,
  );
  let learnedOffset = sequencer.expected - 1;

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
        topicId,
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
    metricsBatch.push(metricsEvent(inputTopic, topicId, step, event));
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

/**
 * The checkpoint to go on from: `loaded` if it was made for this incarnation of the topic. One
 * saved before checkpoints named their topic is taken up unless it counts offsets past the
 * topic's last one (which this topic never had).
 */
function checkpointFor(
  loaded: SubscriberCheckpoint | undefined,
  topicId: string,
  info: TopicInfo,
  options: LearnFromStreamOptions,
): SubscriberCheckpoint | undefined {
  if (loaded === undefined) return undefined;
  const stale =
    loaded.topicId === undefined ? loaded.lastOffset > info.lastOffset : loaded.topicId !== topicId;
  if (!stale) {
    options.onRestore?.(loaded);
    return loaded;
  }
  if (options.staleCheckpoint === "fail")
    throw new YelpExampleError(
      "WEIR_YELP_CHECKPOINT",
      `The checkpoint (up to offset ${loaded.lastOffset}) was made for another incarnation of topic ` +
        `"${info.name}" (topicId ${loaded.topicId ?? "not recorded"}, now ${topicId}): the topic was deleted ` +
        "and created again, or the event log moved to a new data directory. Delete the checkpoint to " +
        'learn the topic from scratch, or run with staleCheckpoint "start-fresh".',
    );
  options.onStaleCheckpoint?.(loaded, topicId);
  return undefined;
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

/**
 * The metrics of one review. The idempotency key names the review's topic incarnation and offset,
 * so that a replay is stored once, while the same offset of a topic created again is new.
 */
function metricsEvent(
  sourceTopic: string,
  topicId: string,
  step: SentimentStep,
  source: StreamEvent,
): EventInput {
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
    idempotencyKey: `${sourceTopic}:${topicId}:${source.offset}`,
  };
}
