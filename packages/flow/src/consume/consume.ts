import type { Stream, Subscription, TopicInfo } from "@weir/stream";

import { describe, WeirArgumentError, WeirCheckpointError } from "../errors.js";
import { getRunLogger } from "../run-context.js";
import { resumption, staleDescription } from "./consume-checkpoint.js";
import type { ConsumeCheckpoint } from "./consume-checkpoint.js";
import type { ConsumeOptions, ConsumeResult } from "./consume-options.js";
import { ConsumerLoop } from "./consumer-loop.js";
import type { LoopStart } from "./consumer-loop.js";
import { stateCodecFor } from "./state-codec.js";
import type { StateCodec } from "./state-codec.js";

/**
 * Deliveries of an event before the stream dead-letters it: never, in practice. Redeliveries here
 * are crash replays and events held back for offset order and handed back (nack); neither means
 * the event is bad (a bad payload is acknowledged and counted). On NATS a killed member's events
 * come back only after the ack wait, so a restarted consumer hands later events back again and
 * again meanwhile; with the stream's default of 5, a few crashes dead-lettered thousands of events,
 * which the gap timeout then skipped unhandled.
 */
const MAX_DELIVER = 1_000_000;

/**
 * Consumes a topic exactly once into a state that survives crashes: each event is handed to
 * `handle` once, in offset order, and the state is checkpointed with the offset it covers.
 *
 * Delivery is at least once; `consume` makes it exactly once for the state. Events are
 * acknowledged only after a stored checkpoint covers them, and a checkpoint is stored only after
 * what the handler published for the events it covers is durable. After a crash the state is
 * restored from the checkpoint and redelivered events at or below its offset are skipped; the
 * others are handled again from the same state, so they publish the same events with the same
 * idempotency keys, which the topic stores once. A checkpoint names the incarnation of the topic
 * its offset counts in (`topicId`), and one made for another incarnation is never taken up
 * (`staleCheckpoint`). Checkpoints are pipelined: handling goes on while one is saved, and the
 * next one, started when it is stored, covers everything handled meanwhile. A loop of its own per
 * group member (each with its own `key`) is the way to partitioned consumption.
 *
 * It resolves when `signal` aborts (after a last checkpoint) or the subscription ends, and rejects
 * with the handler's error, a checkpoint's or a publish's failure, or the subscription's error.
 *
 * @example
 * const { state: model } = await consume({
 *   stream, topic: "river_pipeline", group: "sentiment-model",
 *   checkpoints: ctx.checkpoint, signal: ctx.signal,
 *   state: new Pipeline<string>(new BagOfWords({ lowercase: true }), new MultinomialNB()),
 *   handle: (review: { text: string; sentiment: number }, model) => model.learnOne(review.text, review.sentiment),
 * });
 */
export async function consume<S, T = unknown>(options: ConsumeOptions<S, T>): Promise<ConsumeResult<S>> {
  const settings = settingsOf(options);
  const codec = stateCodecFor(options.state, options.codec);
  const logger = options.logger ?? getRunLogger();
  const loaded = await options.checkpoints.load(settings.key);
  const subscription = options.stream.subscribe(options.topic, {
    group: options.group,
    from: "earliest",
    maxInFlight: settings.maxInFlight,
    ackWaitMs: settings.ackWaitMs,
    maxDeliver: MAX_DELIVER,
  });
  const attached = await attach(subscription, options.stream, options.topic, options.signal);
  if (attached === undefined) return stoppedBeforeStart(options, codec, loaded, settings.key);
  let start: LoopStart<S, T>;
  try {
    const { topicId, info } = attached;
    const { resume, stale } = resumption(
      loaded,
      topicId,
      info,
      options.staleCheckpoint ?? "start-fresh",
      settings.key,
    );
    if (stale !== undefined) {
      logger.warn(
        `${staleDescription(settings.key, stale, options.topic, topicId)}. Consuming it from the initial state.`,
      );
      options.onStaleCheckpoint?.(stale, topicId);
    }
    const state = resume === undefined ? options.state : restored(codec, resume, settings.key);
    if (resume !== undefined) {
      logger.info(
        `Restored checkpoint "${settings.key}": "${options.topic}" up to offset ${resume.lastOffset}`,
      );
      options.onRestore?.(resume);
    }
    const savedOffset = resume?.lastOffset ?? 0;
    const groupAcked = info.groups.find((group) => group.name === options.group)?.ackedOffset ?? 0;
    const firstOffset = Math.max(savedOffset, groupAcked, info.firstOffset - 1) + 1;
    start = { ...settings, options, codec, logger, subscription, topicId, state, savedOffset, firstOffset };
  } catch (error) {
    await subscription.close();
    throw error;
  }
  return new ConsumerLoop(start).run();
}

type Settings = Pick<
  LoopStart<unknown, unknown>,
  "key" | "every" | "intervalMs" | "ackWaitMs" | "gapTimeoutMs" | "maxInFlight"
>;

function settingsOf<S, T>(options: ConsumeOptions<S, T>): Settings {
  for (const name of ["topic", "group"] as const) {
    if (typeof options[name] !== "string" || options[name] === "")
      throw new WeirArgumentError(`consume() needs a ${name}: pass { ${name}: "…" }.`);
  }
  const every = positive(options.checkpointEvery, 1000, "checkpointEvery", true);
  const intervalMs = positive(options.checkpointIntervalMs, 1000, "checkpointIntervalMs");
  const ackWaitMs = positive(options.ackWaitMs, Math.max(30_000, 20 * intervalMs), "ackWaitMs");
  return {
    key: options.key ?? `${options.group}:${options.topic}`,
    every,
    intervalMs,
    ackWaitMs,
    gapTimeoutMs: positive(options.gapTimeoutMs, 2 * ackWaitMs + 5000, "gapTimeoutMs"),
    // Events stay unacknowledged until a checkpoint covers them, and handling goes on while one is
    // saved: room for the events of several checkpoints.
    maxInFlight: Math.max(1000, 8 * every),
  };
}

function positive(value: number | undefined, fallback: number, name: string, integer = false): number {
  if (value === undefined) return fallback;
  if (!(Number.isFinite(value) && value > 0 && (!integer || Number.isInteger(value))))
    throw new WeirArgumentError(
      `consume() got ${name}: ${value}; pass a positive ${integer ? "integer" : "number"} (default ${fallback}).`,
    );
  return value;
}

/**
 * Waits until the subscription reads a topic, and checks that `topicInfo` describes that same
 * incarnation. `undefined`: the signal stopped it first.
 */
async function attach(
  subscription: Subscription,
  stream: Stream,
  topic: string,
  signal: AbortSignal | undefined,
): Promise<{ topicId: string; info: TopicInfo } | undefined> {
  const close = (): void => void subscription.close();
  signal?.addEventListener("abort", close, { once: true });
  if (signal?.aborted) close();
  try {
    const topicId = await subscription.topicId;
    const info = await stream.topicInfo(topic);
    if (info.topicId !== topicId)
      throw new WeirCheckpointError(
        `Topic "${topic}" was deleted and created again while consume() started; start it again.`,
      );
    return { topicId, info };
  } catch (error) {
    await subscription.close();
    if (signal?.aborted && (error as { code?: unknown }).code === "WEIR_CLOSED") return undefined;
    throw error;
  } finally {
    signal?.removeEventListener("abort", close);
  }
}

function restored<S>(codec: StateCodec<S>, checkpoint: ConsumeCheckpoint, key: string): S {
  try {
    return codec.fromJSON(checkpoint.state);
  } catch (cause) {
    throw new WeirCheckpointError(
      `Checkpoint "${key}" (up to offset ${checkpoint.lastOffset}) could not be restored: ` +
        `${describe(cause)}. Delete it to consume the topic from the start, or pass a codec that reads it.`,
      { cause },
    );
  }
}

/** Stopped before the subscription attached: nothing was handled since the stored checkpoint. */
function stoppedBeforeStart<S, T>(
  options: ConsumeOptions<S, T>,
  codec: StateCodec<S>,
  loaded: unknown,
  key: string,
): ConsumeResult<S> {
  const checkpoint = loaded as ConsumeCheckpoint | undefined;
  const valid = typeof checkpoint?.lastOffset === "number" && "state" in checkpoint;
  return {
    state: valid ? restored(codec, checkpoint, key) : options.state,
    lastOffset: valid ? checkpoint.lastOffset : 0,
    handled: 0,
    skipped: 0,
    invalid: 0,
  };
}
