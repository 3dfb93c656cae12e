import type { GroupInfo, TopicInfo } from "@weir/protocol/stream";

/** What a publisher hands to {@link Stream.publish}. */
export interface EventInput {
  /**
   * The payload: a `Uint8Array` is stored as it is, a string as UTF-8, anything else as JSON.
   */
  readonly data: unknown;
  /** @default "application/octet-stream" for bytes, "text/plain" for strings, "application/json" otherwise */
  readonly mimetype?: string;
  /** Name of the event's schema, e.g. `"yelp.review"`. */
  readonly typeName?: string;
  /** Version of the event's schema (a non-negative integer). */
  readonly typeVersion?: number;
  /** String key/value pairs carried with the event. */
  readonly metadata?: Readonly<Record<string, string>>;
  /** Client-chosen event id (UUID). @default a random UUID */
  readonly id?: string;
  /** Per-event idempotency key; overrides the one in {@link PublishOptions}. */
  readonly idempotencyKey?: string;
}

/** Options of one publish call. */
export interface PublishOptions {
  /**
   * A publish with the same key inside the topic's dedupe window is stored once and answered with
   * the first ack. For an array the key of event `i` is `${idempotencyKey}:${i}`.
   */
  readonly idempotencyKey?: string;
  /** @default 30000 */
  readonly timeoutMs?: number;
  /**
   * Aborting it rejects the publish with the signal's reason while the events have not been sent
   * yet (an aborted signal at the call, or the embedded client waiting for room among its 32,768
   * events in flight). Events already sent are not recalled: they are stored or time out.
   */
  readonly signal?: AbortSignal;
}

/** The answer to a publish: the event is durable once this resolves. */
export interface PublishAck {
  readonly id: string;
  readonly topic: string;
  readonly offset: number;
  readonly committedAt: Date;
  /** `true` when an event with the same idempotency key had already been stored. */
  readonly duplicate: boolean;
}

/** Where a new group (or an ephemeral subscription) starts. Ignored when the group exists. */
export type StartPosition = "earliest" | "latest" | { readonly offset: number };

/** Options of {@link Stream.subscribe}. */
export interface SubscribeOptions {
  /** Durable consumer group; members share the work and its committed position. Omit for an ephemeral reader. */
  readonly group?: string;
  /** @default "earliest" */
  readonly from?: StartPosition;
  /** An unacknowledged event is redelivered after this long. @default 30000 */
  readonly ackWaitMs?: number;
  /** After this many deliveries an event goes to `<topic>.dead-letter`. @default 5 */
  readonly maxDeliver?: number;
  /** Unacknowledged events this subscriber may hold at once (flow control). @default 1000 */
  readonly maxInFlight?: number;
  readonly signal?: AbortSignal;
}

/** A stored event as a subscriber sees it. */
export interface StreamEvent {
  readonly id: string;
  readonly topic: string;
  /**
   * The incarnation of the topic the event belongs to (see {@link TopicInfo.topicId}); the same for
   * every event of one subscription. `(topicId, offset)` names one event for good, where `offset`
   * alone may name another after the topic is deleted and created again.
   */
  readonly topicId: string;
  readonly offset: number;
  readonly data: Uint8Array;
  readonly mimetype: string;
  readonly typeName: string | undefined;
  readonly typeVersion: number | undefined;
  readonly metadata: Readonly<Record<string, string>>;
  readonly createdAt: Date;
  /** 1 on the first delivery. */
  readonly deliveryCount: number;
  /** Parses `data` as JSON. */
  json<T = unknown>(): T;
  /** Decodes `data` as UTF-8. */
  text(): string;
  /** Marks the event done for the group. */
  ack(): Promise<void>;
  /** Asks for a redelivery, after `delayMs` (default 0). */
  nack(options?: { readonly delayMs?: number }): Promise<void>;
}

/**
 * An open subscription: iterate it; `close()` stops it (unacked events are redelivered later).
 *
 * A subscription reads one incarnation of its topic, named by `topicId`. It re-attaches by itself
 * after a reconnect or a restart of the backend; if the topic it finds then is another incarnation
 * (deleted and created again meanwhile), it ends with a `TopicChangedError` (`WEIR_TOPIC_CHANGED`)
 * instead of delivering events whose offsets started over.
 */
export interface Subscription extends AsyncIterable<StreamEvent> {
  readonly topic: string;
  readonly group: string | undefined;
  /**
   * Resolves with the identity of the topic incarnation the subscription reads (see
   * {@link TopicInfo.topicId}) once it is attached, before its first event is delivered. Rejects
   * when the subscription ends before it attached (e.g. `WEIR_TOPIC_NOT_FOUND`, or `WEIR_CLOSED`).
   *
   * @example
   * const subscription = stream.subscribe("river_pipeline", { group: "model" });
   * const topicId = await subscription.topicId;
   * if (checkpoint.topicId !== topicId) checkpoint = undefined; // made for another incarnation
   */
  readonly topicId: Promise<string>;
  close(): Promise<void>;
}

/** Settings of a topic. */
export interface TopicOptions {
  /** Events older than this are removed. @default unlimited */
  readonly maxAgeMs?: number;
  /** Oldest events are removed while the topic holds more bytes. @default unlimited */
  readonly maxBytes?: number;
  /** NATS only: replicas of the JetStream stream. @default 1 */
  readonly replicas?: number;
  /**
   * How long an idempotency key is remembered.
   * @default DEFAULT_DEDUPE_WINDOW_MS of `@weir/protocol/stream`, 120000 (embedded: as long as the event is retained)
   */
  readonly dedupeWindowMs?: number;
}

/**
 * A topic and its consumer groups as `topicInfo()` and `listTopics()` describe them: the one shape of
 * `@weir/protocol/stream`, which the Weir server's summaries extend.
 */
export type { GroupInfo, TopicInfo };

/** The backend behind a {@link Stream}. */
export type StreamBackend = "memory" | "embedded" | "nats";

/**
 * A connection to an event backend. Obtain one with `connect()`.
 */
export interface Stream {
  readonly backend: StreamBackend;
  /** Largest encoded event this backend accepts, in bytes. */
  readonly maxEventBytes: number;
  createTopic(name: string, options?: TopicOptions): Promise<TopicInfo>;
  ensureTopic(name: string, options?: TopicOptions): Promise<TopicInfo>;
  listTopics(): Promise<TopicInfo[]>;
  topicInfo(name: string): Promise<TopicInfo>;
  deleteTopic(name: string): Promise<void>;
  publish(topic: string, event: EventInput, options?: PublishOptions): Promise<PublishAck>;
  publish(topic: string, events: readonly EventInput[], options?: PublishOptions): Promise<PublishAck[]>;
  subscribe(topic: string, options?: SubscribeOptions): Subscription;
  /** Stops intake, waits for in-flight publishes and acks (up to `graceMs`), then closes. */
  close(options?: { readonly graceMs?: number }): Promise<void>;
}
