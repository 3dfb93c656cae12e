import { batchIdempotencyKey } from "@weir/protocol/stream";

import { StreamClosedError } from "../errors.js";
import type {
  EventInput,
  PublishAck,
  PublishOptions,
  Stream,
  StreamBackend,
  StartPosition,
  SubscribeOptions,
  Subscription,
  TopicInfo,
  TopicOptions,
} from "../types.js";
import type { EncodedEvent } from "./encode-event.js";
import { encodeEvent } from "./encode-event.js";
import { assertName } from "./names.js";

/** Subscribe options with every default applied. */
export interface ResolvedSubscribeOptions {
  readonly group: string | undefined;
  readonly from: StartPosition;
  readonly ackWaitMs: number;
  readonly maxDeliver: number;
  readonly maxInFlight: number;
  readonly signal: AbortSignal | undefined;
}

/** 1 MiB, the default maximum event size on every backend and in the Weir server (the event rules of `@weir/protocol/stream`). */
export { DEFAULT_MAX_EVENT_BYTES } from "@weir/protocol/stream";

function positiveInt(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer.`);
  return value;
}

/**
 * What every backend shares: argument checks, event encoding, defaults and the closed state.
 * Backends implement the `do*` methods.
 */
export abstract class BaseStream implements Stream {
  abstract readonly backend: StreamBackend;
  abstract readonly maxEventBytes: number;
  protected closed = false;

  protected abstract doCreateTopic(
    name: string,
    options: TopicOptions,
    ifMissing: boolean,
  ): Promise<TopicInfo>;
  protected abstract doListTopics(): Promise<TopicInfo[]>;
  protected abstract doTopicInfo(name: string): Promise<TopicInfo>;
  protected abstract doDeleteTopic(name: string): Promise<void>;
  protected abstract doPublish(
    topic: string,
    events: EncodedEvent[],
    timeoutMs: number,
    signal: AbortSignal | undefined,
  ): Promise<PublishAck[]>;
  /**
   * Publishes one event (`publish(topic, event)`, the common call). By default through
   * {@link doPublish}; a backend may override it to skip the array and the extra promise on this hot path.
   */
  protected doPublishOne(
    topic: string,
    event: EncodedEvent,
    timeoutMs: number,
    signal: AbortSignal | undefined,
  ): Promise<PublishAck> {
    return this.doPublish(topic, [event], timeoutMs, signal).then((list) => list[0] as PublishAck);
  }

  protected abstract doSubscribe(topic: string, options: ResolvedSubscribeOptions): Subscription;
  protected abstract doClose(graceMs: number): Promise<void>;

  protected assertOpen(): void {
    if (this.closed) throw new StreamClosedError();
  }

  createTopic(name: string, options: TopicOptions = {}): Promise<TopicInfo> {
    return this.#guard(() => {
      assertName("topic", name);
      return this.doCreateTopic(name, options, false);
    });
  }

  ensureTopic(name: string, options: TopicOptions = {}): Promise<TopicInfo> {
    return this.#guard(() => {
      assertName("topic", name);
      return this.doCreateTopic(name, options, true);
    });
  }

  listTopics(): Promise<TopicInfo[]> {
    return this.#guard(() => this.doListTopics());
  }

  topicInfo(name: string): Promise<TopicInfo> {
    return this.#guard(() => {
      assertName("topic", name);
      return this.doTopicInfo(name);
    });
  }

  deleteTopic(name: string): Promise<void> {
    return this.#guard(() => {
      assertName("topic", name);
      return this.doDeleteTopic(name);
    });
  }

  publish(topic: string, event: EventInput, options?: PublishOptions): Promise<PublishAck>;
  publish(topic: string, events: readonly EventInput[], options?: PublishOptions): Promise<PublishAck[]>;
  publish(
    topic: string,
    input: EventInput | readonly EventInput[],
    options: PublishOptions = {},
  ): Promise<PublishAck | PublishAck[]> {
    let encoded: EncodedEvent[];
    const many = Array.isArray(input);
    if (options.signal?.aborted) return Promise.reject(abortReason(options.signal));
    try {
      this.assertOpen();
      assertName("topic", topic);
      const key = options.idempotencyKey;
      if (many) {
        encoded = (input as readonly EventInput[]).map((event, index) =>
          encodeEvent(
            topic,
            event,
            key === undefined ? undefined : batchIdempotencyKey(key, index),
            this.maxEventBytes,
          ),
        );
        if (encoded.length === 0) return Promise.resolve([]);
      } else encoded = [encodeEvent(topic, input as EventInput, key, this.maxEventBytes)];
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    const timeoutMs = options.timeoutMs ?? 30_000;
    try {
      return many
        ? this.doPublish(topic, encoded, timeoutMs, options.signal)
        : this.doPublishOne(topic, encoded[0] as EncodedEvent, timeoutMs, options.signal);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  subscribe(topic: string, options: SubscribeOptions = {}): Subscription {
    this.assertOpen();
    assertName("topic", topic);
    if (options.group !== undefined) assertName("group", options.group);
    const from = options.from ?? "earliest";
    if (
      from !== "earliest" &&
      from !== "latest" &&
      !(typeof from === "object" && Number.isInteger(from.offset) && from.offset >= 0)
    )
      throw new RangeError('from must be "earliest", "latest" or { offset: n } with n ≥ 0.');
    return this.doSubscribe(topic, {
      group: options.group,
      from,
      ackWaitMs: positiveInt("ackWaitMs", options.ackWaitMs, 30_000),
      maxDeliver: positiveInt("maxDeliver", options.maxDeliver, 5),
      maxInFlight: positiveInt("maxInFlight", options.maxInFlight, 1000),
      signal: options.signal,
    });
  }

  async close(options: { readonly graceMs?: number } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.doClose(options.graceMs ?? 5000);
  }

  async #guard<T>(body: () => Promise<T>): Promise<T> {
    this.assertOpen();
    return body();
  }
}

/** Why a signal was aborted, as an Error (`abort()` without a reason gives an AbortError). */
function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  return new Error(typeof reason === "string" ? reason : "The publish was aborted.", { cause: reason });
}
