import type { EventInput, Stream, StreamEvent } from "@weir/stream";

import type { RunLogger } from "../logger.js";
import type {
  ConsumeCheckpoint,
  ConsumeCheckpointStore,
  StaleCheckpointPolicy,
} from "./consume-checkpoint.js";
import type { StateCodec } from "./state-codec.js";

/** An event as the handler sees it: {@link consume} acknowledges it, never the handler. */
export type ConsumedEvent = Omit<StreamEvent, "ack" | "nack">;

/** The third argument of a {@link ConsumeOptions.handle} call. */
export interface HandleContext {
  readonly event: ConsumedEvent;
  /**
   * `<topic>:<topicId>:<offset>`: names this event for good (offsets start over when a topic is
   * created again, the `topicId` does not). The idempotency key of what the handler publishes.
   */
  readonly key: string;
  /**
   * Publishes an event that the handling of this one produced (e.g. a prediction or a metric).
   * Sent in batches; a checkpoint covering this event is stored only once it is durable. Its
   * idempotency key defaults to {@link HandleContext.key}, so that the replay of this event after
   * a crash stores it once: give a second event per source event its own key (`${key}:2`).
   * A plain function: destructure it (`{ publish }`) freely.
   */
  readonly publish: (topic: string, event: EventInput) => void;
}

/** Observers of {@link consume}; the logger already reports each of these (except checkpoints). */
export interface ConsumeHooks {
  /** After each stored checkpoint (its events are acknowledged). */
  readonly onCheckpoint?: (checkpoint: ConsumeCheckpoint) => void;
  /** The stored checkpoint is taken up: consumption goes on from it. */
  readonly onRestore?: (checkpoint: ConsumeCheckpoint) => void;
  /** A checkpoint made for another incarnation of the topic is set aside (`staleCheckpoint: "start-fresh"`). */
  readonly onStaleCheckpoint?: (checkpoint: ConsumeCheckpoint, topicId: string) => void;
  /** `decode` refused an event: it is skipped, and acknowledged with the next checkpoint. */
  readonly onInvalid?: (event: ConsumedEvent, reason: string) => void;
  /** An event arrived ahead of a missing offset, which is then waited for. */
  readonly onOutOfOrder?: (expected: number, received: number, deliveryCount: number) => void;
  /** Offsets never arrived within `gapTimeoutMs` (removed by retention, or dead-lettered) and are skipped. */
  readonly onGap?: (from: number, to: number) => void;
}

/** Options of {@link consume}. */
export interface ConsumeOptions<S, T = unknown> extends ConsumeHooks {
  /** The stream to read: `await connect()` of `@weir/stream`, on any backend. */
  readonly stream: Stream;
  readonly topic: string;
  /** The durable consumer group; its position and the checkpoint advance together. */
  readonly group: string;
  /** Where checkpoints are stored: the flow's `ctx.checkpoint`. */
  readonly checkpoints: ConsumeCheckpointStore;
  /**
   * The checkpoint's key. Partitioned consumers (several members of one group, each with its own
   * state) will each use their own. @default `${group}:${topic}`
   */
  readonly key?: string;
  /**
   * The state before any event: a `@weir/learn` model (or anything with `toJSON()` and a static
   * `fromJSON()`), or plain JSON data. The handler updates it in place; a stored checkpoint
   * replaces it with the state it saved.
   */
  readonly state: S;
  /**
   * How the state is saved and restored. @default the state's `toJSON()` and its class's static
   * `fromJSON()`; for plain data, a JSON copy
   */
  readonly codec?: StateCodec<S>;
  /**
   * Turns an event into the handler's input. Throwing marks the event invalid: it is skipped,
   * counted, reported, and acknowledged with the next checkpoint (a bad payload never gets better
   * by being delivered again). Keep it free of side effects. @default `event.json()`
   */
  readonly decode?: (event: ConsumedEvent) => T;
  /**
   * Called once per event, in offset order, one call at a time; it updates `state`. A checkpoint
   * is only ever taken between two calls. When it throws, the loop stops without checkpointing
   * (the state may be half updated) and `consume` rejects with its error; the events since the last
   * checkpoint are delivered again to the next run, which starts from that checkpoint.
   */
  readonly handle: (data: T, state: S, context: HandleContext) => void | Promise<void>;
  /** Checkpoint after this many events… @default 1000 */
  readonly checkpointEvery?: number;
  /** …or when the oldest event not in a checkpoint is this old. @default 1000 */
  readonly checkpointIntervalMs?: number;
  /** An unacknowledged event is delivered again after this long. @default max(30000, 20 × checkpointIntervalMs) */
  readonly ackWaitMs?: number;
  /** How long to wait for a missing offset before skipping it. @default 2 × ackWaitMs + 5000 */
  readonly gapTimeoutMs?: number;
  /**
   * A checkpoint made for another incarnation of the topic (deleted and created again, or the
   * event log started on a new data directory) counts offsets the topic no longer has:
   * `"start-fresh"` sets it aside with a warning and consumes the topic from `state`, `"fail"`
   * rejects with a `WeirCheckpointError` and leaves the checkpoint as it is. @default "start-fresh"
   */
  readonly staleCheckpoint?: StaleCheckpointPolicy;
  /**
   * Stops the loop: intake stops, the handler call in progress finishes, a last checkpoint covers
   * everything handled, and `consume` resolves.
   */
  readonly signal?: AbortSignal;
  /** Where restores, stale checkpoints, invalid events and gaps are reported. @default getRunLogger() */
  readonly logger?: Pick<RunLogger, "info" | "warn">;
}

/** What {@link consume} resolves with once stopped. */
export interface ConsumeResult<S> {
  /** The state, with every event up to `lastOffset` in it. */
  readonly state: S;
  /** The offset the last stored checkpoint covers (0 when none). */
  readonly lastOffset: number;
  /** Events this call handled (replays of checkpointed events excluded). */
  readonly handled: number;
  /** Deliveries of events already handled (redeliveries), not handled again. */
  readonly skipped: number;
  /** Events `decode` refused. */
  readonly invalid: number;
}
