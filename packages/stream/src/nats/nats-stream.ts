import type { JetStreamClient, JetStreamManager, Msg, NatsConnection, StreamInfo } from "nats";
import { connect as natsConnect, Events, headers as natsHeaders, nanos, StorageType } from "nats";

import { BaseStream, DEFAULT_MAX_EVENT_BYTES } from "../core/base-stream.js";
import type { ResolvedSubscribeOptions } from "../core/base-stream.js";
import type { EncodedEvent } from "../core/encode-event.js";
import { deadLetterTopic } from "../core/names.js";
import {
  StreamConnectionError,
  StreamError,
  StreamTimeoutError,
  TopicExistsError,
  TopicNotFoundError,
} from "../errors.js";
import type { GroupInfo, PublishAck, Subscription, TopicInfo, TopicOptions } from "../types.js";
import { encodeHeaders } from "./nats-codec.js";
import type { Delivery } from "./nats-codec.js";
import { classifyNatsError, refused } from "./nats-errors.js";
import { DESCRIPTION_PREFIX, HEADER, STREAM_PREFIX, streamName, subjectOf } from "./nats-names.js";
import { JetStreamPublisher } from "./nats-publisher.js";
import { NatsSubscription } from "./nats-subscription.js";

/** Options of {@link NatsStream.open}. */
export interface NatsOptions {
  readonly url: string;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
  readonly maxEventBytes?: number | undefined;
}

/** Room left in NATS's max_payload for the Weir headers. */
const HEADER_ROOM = 8 * 1024;

/** What bounds a NATS call, named in its timeout error. */
interface TimeLimit {
  readonly what: string;
  readonly ms: number;
  readonly setting: string;
}

/** The NATS JetStream backend: topics are streams, groups are durable pull consumers. */
export class NatsStream extends BaseStream {
  readonly backend = "nats" as const;
  readonly maxEventBytes: number;
  readonly #nc: NatsConnection;
  readonly #js: JetStreamClient;
  readonly #jsm: JetStreamManager;
  readonly #publisher: JetStreamPublisher;
  readonly #subscriptions = new Set<NatsSubscription>();
  readonly #host;
  readonly #timeoutMs: number;

  private constructor(
    nc: NatsConnection,
    jsm: JetStreamManager,
    maxEventBytes: number | undefined,
    timeoutMs: number,
  ) {
    super();
    this.#timeoutMs = timeoutMs;
    this.#nc = nc;
    this.#jsm = jsm;
    this.#js = nc.jetstream();
    this.#publisher = new JetStreamPublisher(nc);
    const serverMax = (nc.info?.max_payload ?? DEFAULT_MAX_EVENT_BYTES + HEADER_ROOM) - HEADER_ROOM;
    this.maxEventBytes = Math.min(maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES, serverMax);
    this.#host = {
      nc,
      jsm: this.#jsm,
      translate: (error: unknown, topic: string) => this.#translate(error, topic),
      deadLetter: (message: Msg, delivery: Delivery, topic: string, reason: string) =>
        this.#deadLetter(message, delivery, topic, reason),
      forget: (subscription: NatsSubscription) => this.#subscriptions.delete(subscription),
    };
    void this.#watchReconnects();
  }

  /** Pull requests may be lost with the connection: subscriptions ask again after a reconnect. */
  async #watchReconnects(): Promise<void> {
    for await (const status of this.#nc.status())
      if (status.type === Events.Reconnect)
        for (const subscription of this.#subscriptions) subscription.reattach();
  }

  /** Connects to `nats://host:port` (several servers separated by commas). */
  static async open(options: NatsOptions): Promise<NatsStream> {
    const servers = options.url
      .split(",")
      .map((part) => part.trim())
      .filter((part) => part.length > 0)
      .map((part) => (part.includes("://") ? part : `nats://${part}`));
    let nc: NatsConnection;
    try {
      nc = await natsConnect({
        servers,
        timeout: options.timeoutMs,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 250,
        // Without this, nats.js captures a stack trace (new Error()) for every request and JetStream ack.
        noAsyncTraces: true,
      });
    } catch (cause) {
      throw new StreamConnectionError(
        `Cannot connect to NATS at ${options.url}: ${(cause as Error).message}`,
        {
          cause,
        },
      );
    }
    const jsm = await nc.jetstreamManager({ timeout: options.timeoutMs }).catch(async (cause: unknown) => {
      await nc.close();
      throw new StreamConnectionError(
        `NATS at ${options.url} has no JetStream (start nats-server with -js).`,
        {
          cause,
        },
      );
    });
    return new NatsStream(nc, jsm, options.maxEventBytes, options.timeoutMs);
  }

  async #knownTopics(): Promise<string[]> {
    return (await this.doListTopics()).map((topic) => topic.name);
  }

  /** Maps an error of nats.js or JetStream to a typed one; only a retryable one may be retried. */
  async #translate(error: unknown, topic: string, limit?: TimeLimit): Promise<unknown> {
    if (error instanceof StreamError) return error;
    const kind = classifyNatsError(error);
    if (kind === "final") return refused(error, topic);
    if (kind === "timeout") {
      // JetStream API requests are bounded by the connect option; publishes bring their own limit.
      const { what, ms, setting } = limit ?? {
        what: `The NATS request for topic "${topic}"`,
        ms: this.#timeoutMs,
        setting: "the connect option timeoutMs",
      };
      return new StreamTimeoutError(what, ms, { cause: error, setting });
    }
    if (kind === "no-stream") {
      const exists = await this.#jsm.streams.info(streamName(topic)).then(
        () => true,
        (infoError: unknown) =>
          (infoError as { api_error?: { err_code?: number } }).api_error?.err_code === 10059
            ? false
            : undefined,
      );
      // The stream exists (or JetStream cannot tell right now): a cluster electing a leader. Worth retrying.
      if (exists !== false)
        return new StreamConnectionError(
          `JetStream did not answer for topic "${topic}" (no stream leader yet).`,
          {
            cause: error,
          },
        );
      return new TopicNotFoundError(topic, await this.#knownTopics().catch(() => []));
    }
    const message = (error as { message?: string } | undefined)?.message ?? String(error);
    return new StreamConnectionError(`NATS error for topic "${topic}": ${message}`, { cause: error });
  }

  async #groups(stream: string): Promise<GroupInfo[]> {
    const groups: GroupInfo[] = [];
    for await (const consumer of this.#jsm.consumers.list(stream)) {
      if (!consumer.config.durable_name) continue;
      groups.push({
        name: consumer.name,
        ackedOffset: consumer.ack_floor.stream_seq,
        pending: consumer.num_ack_pending,
        lag: consumer.num_pending + consumer.num_ack_pending,
      });
    }
    return groups;
  }

  async #info(info: StreamInfo): Promise<TopicInfo> {
    const state = info.state;
    const maxAge = info.config.max_age;
    const maxBytes = info.config.max_bytes;
    return {
      name: (info.config.description ?? "").slice(DESCRIPTION_PREFIX.length),
      // Set by JetStream when the stream is created, kept across restarts: another after delete + create.
      topicId: info.created,
      eventCount: state.messages,
      firstOffset: state.messages > 0 ? state.first_seq : 0,
      lastOffset: state.last_seq,
      bytes: state.bytes,
      maxAgeMs: maxAge > 0 ? Math.round(maxAge / 1e6) : undefined,
      maxBytes: maxBytes > 0 ? maxBytes : undefined,
      groups: await this.#groups(info.config.name),
    };
  }

  protected async doCreateTopic(name: string, options: TopicOptions, ifMissing: boolean): Promise<TopicInfo> {
    const stream = streamName(name);
    const existing = await this.#jsm.streams.info(stream).catch(() => undefined);
    if (existing) {
      if (ifMissing) return this.#info(existing);
      throw new TopicExistsError(name);
    }
    const info = await this.#jsm.streams.add({
      name: stream,
      description: DESCRIPTION_PREFIX + name,
      subjects: [subjectOf(name)],
      storage: StorageType.File,
      num_replicas: options.replicas ?? 1,
      duplicate_window: nanos(options.dedupeWindowMs ?? 120_000),
      ...(options.maxAgeMs === undefined ? {} : { max_age: nanos(options.maxAgeMs) }),
      ...(options.maxBytes === undefined ? {} : { max_bytes: options.maxBytes }),
    });
    return this.#info(info);
  }

  protected async doListTopics(): Promise<TopicInfo[]> {
    const topics: TopicInfo[] = [];
    for await (const info of this.#jsm.streams.list()) {
      if (
        !info.config.name.startsWith(STREAM_PREFIX) ||
        !info.config.description?.startsWith(DESCRIPTION_PREFIX)
      )
        continue;
      topics.push(await this.#info(info));
    }
    return topics.sort((a, b) => a.name.localeCompare(b.name));
  }

  protected async doTopicInfo(name: string): Promise<TopicInfo> {
    try {
      return await this.#info(await this.#jsm.streams.info(streamName(name)));
    } catch (error) {
      throw await this.#translate(error, name);
    }
  }

  protected async doDeleteTopic(name: string): Promise<void> {
    try {
      await this.#jsm.streams.delete(streamName(name));
    } catch (error) {
      throw await this.#translate(error, name);
    }
  }

  protected async doPublish(topic: string, events: EncodedEvent[], timeoutMs: number): Promise<PublishAck[]> {
    const subject = subjectOf(topic);
    const publishOne = async (event: EncodedEvent): Promise<PublishAck> => {
      const ack = await this.#publisher.publish(subject, event.data, encodeHeaders(event), timeoutMs);
      return {
        id: ack.duplicate ? await this.#storedId(topic, ack.seq, event.id) : event.id,
        topic,
        offset: ack.seq,
        committedAt: new Date(),
        duplicate: ack.duplicate,
      };
    };
    try {
      const first = events[0];
      return events.length === 1 && first
        ? [await publishOne(first)]
        : await Promise.all(events.map(publishOne));
    } catch (error) {
      throw await this.#translate(error, topic, {
        what: `Publishing to topic "${topic}"`,
        ms: timeoutMs,
        setting: "the publish option timeoutMs",
      });
    }
  }

  async #storedId(topic: string, seq: number, fallback: string): Promise<string> {
    const stored = await this.#jsm.streams.getMessage(streamName(topic), { seq }).catch(() => undefined);
    return stored?.header.get(HEADER.id) || fallback;
  }

  async #deadLetter(message: Msg, delivery: Delivery, topic: string, reason: string): Promise<void> {
    const target = deadLetterTopic(topic);
    await this.doCreateTopic(target, {}, true);
    const h = natsHeaders();
    for (const [key, values] of message.headers ?? []) for (const value of values) h.append(key, value);
    const metadata = {
      ...(JSON.parse(message.headers?.get(HEADER.metadata) || "{}") as Record<string, string>),
      "weir-dead-letter-reason": reason,
      "weir-source-topic": topic,
      "weir-source-offset": String(delivery.seq),
      "weir-delivery-count": String(delivery.deliveryCount - 1),
    };
    h.set(HEADER.metadata, JSON.stringify(metadata));
    await this.#js.publish(subjectOf(target), message.data, {
      headers: h,
      msgID: `dead-letter:${topic}:${delivery.seq}`,
    });
  }

  protected doSubscribe(topic: string, options: ResolvedSubscribeOptions): Subscription {
    const subscription = new NatsSubscription(topic, options.group, options, this.#host);
    this.#subscriptions.add(subscription);
    return subscription;
  }

  protected async doClose(graceMs: number): Promise<void> {
    await Promise.all([...this.#subscriptions].map((subscription) => subscription.close()));
    await this.#publisher.settle(graceMs);
    this.#publisher.close();
    await this.#nc.flush().catch(() => undefined);
    await this.#nc.drain().catch(() => undefined);
  }
}
