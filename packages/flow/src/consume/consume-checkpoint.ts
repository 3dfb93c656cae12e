import type { TopicInfo } from "@weir/stream";

import { WeirCheckpointError } from "../errors.js";

/**
 * What {@link consume} stores under its checkpoint key: the state and the offset it covers, in the
 * incarnation of the topic the offset counts in.
 *
 * @example
 * const saved = await ctx.checkpoint.load<ConsumeCheckpoint>("sentiment-model:river_pipeline");
 * console.log(saved?.lastOffset);
 */
export interface ConsumeCheckpoint<J = unknown> {
  /** The state, as the codec's `toJSON` gave it. */
  readonly state: J;
  /** Every event of the topic at or below this offset is in `state` (0: none). */
  readonly lastOffset: number;
  /**
   * The incarnation of the topic `lastOffset` counts in (`Subscription.topicId`): offsets start
   * over when a topic is deleted and created again. Missing in checkpoints saved before Weir
   * recorded it.
   */
  readonly topicId?: string;
  readonly savedAt: string;
}

/**
 * Where {@link consume} keeps its checkpoints: a flow's `ctx.checkpoint`, or anything else that
 * stores a JSON value under a key atomically, resolving `save` only once the value is stored.
 *
 * @example
 * await consume({ ..., checkpoints: ctx.checkpoint });
 */
export interface ConsumeCheckpointStore {
  load(key: string): Promise<unknown>;
  save(key: string, value: ConsumeCheckpoint): Promise<unknown>;
}

/** What to do with a checkpoint made for another incarnation of the topic. */
export type StaleCheckpointPolicy = "start-fresh" | "fail";

/** The checkpoint to go on from, and the one set aside as stale (at most one of them). */
export interface Resumption {
  readonly resume: ConsumeCheckpoint | undefined;
  readonly stale: ConsumeCheckpoint | undefined;
}

/**
 * Decides whether `loaded` can be taken up: only if it was made for the incarnation of the topic
 * the subscription reads. One saved before checkpoints named their topic is taken up unless it
 * counts offsets past the topic's last one (which this topic never had). A stale one is set aside
 * (`"start-fresh"`) or refused with a {@link WeirCheckpointError} (`"fail"`).
 *
 * @example
 * const { resume } = resumption(loaded, topicId, info, "start-fresh", "model:reviews");
 */
export function resumption(
  loaded: unknown,
  topicId: string,
  info: TopicInfo,
  policy: StaleCheckpointPolicy,
  key: string,
): Resumption {
  if (loaded === undefined) return { resume: undefined, stale: undefined };
  const checkpoint = checked(loaded, key);
  const stale =
    checkpoint.topicId === undefined
      ? checkpoint.lastOffset > info.lastOffset
      : checkpoint.topicId !== topicId;
  if (!stale) return { resume: checkpoint, stale: undefined };
  if (policy === "fail") {
    throw new WeirCheckpointError(
      `${staleDescription(key, checkpoint, info.name, topicId)}. Delete the checkpoint to consume the ` +
        'topic from the start, or pass staleCheckpoint: "start-fresh".',
    );
  }
  return { resume: undefined, stale: checkpoint };
}

/**
 * Says which checkpoint was made for which incarnation of which topic, and why that happens.
 *
 * @example
 * logger.warn(`${staleDescription(key, checkpoint, "reviews", topicId)}. Starting from the initial state.`);
 */
export function staleDescription(
  key: string,
  checkpoint: ConsumeCheckpoint,
  topic: string,
  topicId: string,
): string {
  return (
    `Checkpoint "${key}" (up to offset ${checkpoint.lastOffset}) was made for another incarnation of topic ` +
    `"${topic}" (topicId ${checkpoint.topicId ?? "not recorded"}, now ${topicId}): the topic was deleted ` +
    "and created again, or the event log moved to a new data directory"
  );
}

function checked(loaded: unknown, key: string): ConsumeCheckpoint {
  const value = loaded as Partial<ConsumeCheckpoint> | null;
  if (
    typeof value !== "object" ||
    value === null ||
    !("state" in value) ||
    typeof value.lastOffset !== "number" ||
    !Number.isSafeInteger(value.lastOffset) ||
    value.lastOffset < 0 ||
    (value.topicId !== undefined && typeof value.topicId !== "string")
  ) {
    throw new WeirCheckpointError(
      `Checkpoint "${key}" is not one that consume() saved ({ state, lastOffset, topicId, savedAt }). ` +
        "Pass another key, or delete the checkpoint to consume the topic from the start.",
    );
  }
  return value as ConsumeCheckpoint;
}
