import { jetstreamManager, StorageType } from "@nats-io/jetstream";
import type { JetStreamManager, StreamInfo } from "@nats-io/jetstream";
import { connect as natsConnect, headers as natsHeaders, nanos } from "@nats-io/transport-node";
import type { Msg, NatsConnection } from "@nats-io/transport-node";
import {
  deadLetterTopic,
  StreamConnectionError,
  StreamError,
  StreamTimeoutError,
  TopicExistsError,
  TopicNotFoundError,
} from "@weir/stream";
import type { GroupInfo, PublishAck, Subscription, TopicInfo, TopicOptions } from "@weir/stream";
import { BaseStream, DEFAULT_MAX_EVENT_BYTES } from "@weir/stream/backend";
import type { BackendOpenOptions, EncodedEvent, ResolvedSubscribeOptions } from "@weir/stream/backend";

import { encodeHeaders } from "./nats-codec.js";
import type { Delivery } from "./nats-codec.js";
import { classifyNatsError, isStreamNotFound, refused } from "./nats-errors.js";
import {
  DESCRIPTION_PREFIX,
  HEADER,
  MSG_ID_HEADER,
  STREAM_PREFIX,
  streamName,
  subjectOf,
} from "./nats-names.js";
import { JetStreamPublisher } from "./nats-publisher.js";
import type { PublishRequest, StoredAck } from "./nats-publisher.js";
import { NatsSubscription } from "./nats-subscription.js";

/** Options of {@link NatsStream.open}: the URL (`nats://h1:4222,h2:4222`) and limits `connect()` passes on. */
export type NatsOptions = BackendOpenOptions;

/** Room left in NATS's max_payload for the Weir headers. */
const HEADER_ROOM = 8 * 1024;

/** What bounds a NATS call, named in its timeout error. */
interface TimeLimit {
  readonly what: string;
  readonly ms: number;
  readonly setting: string;
}

/**
 * The NATS JetStream backend: topics are streams, groups are durable pull consumers. `connect()` of
 * `@weir/stream` opens it for a `nats://` URL.
 *
 * @example
 * const stream = await NatsStream.open({ url: "nats://127.0.0.1:4222", timeoutMs: 10_000 });
 */
export class NatsStream extends BaseStream {
  readonly backend = "nats" as const;
  readonly maxEventBytes: number;
  readonly #nc: NatsConnection;
  readonly #jsm: JetStreamManager;
  readonly #publisher: JetStreamPublisher<PublishAck>;
  readonly #subjects = new Map<string, string>();
  readonly #noStream = new Map<string, Promise<StreamError>>();
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
    this.#publisher = new JetStreamPublisher<PublishAck>(nc, {
      stored: (ack, request) => this.#stored(ack, request),
      failed: (error, request) => this.#publishFailed(error, request),
    });
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
      if (status.type === "reconnect")
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
        // Without this, the client captures a stack trace (new Error()) for every request.
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
    const jsm = await jetstreamManager(nc, { timeout: options.timeoutMs }).catch(async (cause: unknown) => {
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

  /** Maps an error of the NATS client or JetStream to a typed one; only a retryable one may be retried. */
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
    if (kind === "no-stream") return this.#whyNoStream(error, topic);
    const message = (error as { message?: string } | undefined)?.message ?? String(error);
    return new StreamConnectionError(`NATS error for topic "${topic}": ${message}`, { cause: error });
  }

  /**
   * Why no stream answered for `topic`: it does not exist, or it has no leader yet. Asked once per
   * topic at a time, so that a batch of publishes to a missing topic makes one lookup, not one each.
   */
  #whyNoStream(error: unknown, topic: string): Promise<StreamError> {
    let why = this.#noStream.get(topic);
    if (why === undefined) {
      why = this.#lookUpNoStream(error, topic).finally(() => this.#noStream.delete(topic));
      this.#noStream.set(topic, why);
    }
    return why;
  }

  async #lookUpNoStream(error: unknown, topic: string): Promise<StreamError> {
    const exists = await this.#jsm.streams.info(streamName(topic)).then(
      () => true,
      (infoError: unknown) => (isStreamNotFound(infoError) ? false : undefined),
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

  protected doPublish(topic: string, events: EncodedEvent[], timeoutMs: number): Promise<PublishAck[]> {
    const subject = this.#subject(topic);
    return Promise.all(
      events.map((event) =>
        this.#publisher.publish(subject, event.data, encodeHeaders(event), topic, event.id, timeoutMs),
      ),
    );
  }

  protected override doPublishOne(
    topic: string,
    event: EncodedEvent,
    timeoutMs: number,
  ): Promise<PublishAck> {
    return this.#publisher.publish(
      this.#subject(topic),
      event.data,
      encodeHeaders(event),
      topic,
      event.id,
      timeoutMs,
    );
  }

  /** The subject of a topic's stream (kept: a publisher's events nearly always go to a few topics). */
  #subject(topic: string): string {
    let subject = this.#subjects.get(topic);
    if (subject === undefined) {
      if (this.#subjects.size >= 1024) this.#subjects.clear();
      subject = subjectOf(topic);
      this.#subjects.set(topic, subject);
    }
    return subject;
  }

  /** What a publish resolves with once JetStream stored its event. */
  #stored(ack: StoredAck, request: PublishRequest): PublishAck | Promise<PublishAck> {
    if (ack.duplicate)
      return this.#storedId(request.topic, ack.seq, request.id).then((id) => ({
        id,
        topic: request.topic,
        offset: ack.seq,
        committedAt: new Date(),
        duplicate: true,
      }));
    return {
      id: request.id,
      topic: request.topic,
      offset: ack.seq,
      committedAt: new Date(),
      duplicate: false,
    };
  }

  /** What a publish rejects with: the client's error, typed. */
  async #publishFailed(error: unknown, request: PublishRequest): Promise<PublishAck> {
    throw await this.#translate(error, request.topic, {
      what: `Publishing to topic "${request.topic}"`,
      ms: request.timeoutMs,
      setting: "the publish option timeoutMs",
    });
  }

  async #storedId(topic: string, seq: number, fallback: string): Promise<string> {
    const stored = await this.#jsm.streams.getMessage(streamName(topic), { seq }).catch(() => null);
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
    h.set(MSG_ID_HEADER, `dead-letter:${topic}:${delivery.seq}`);
    await this.#publisher.publish(
      subjectOf(target),
      message.data,
      h,
      target,
      h.get(HEADER.id) || `${streamName(topic)}:${delivery.seq}`,
      this.#timeoutMs,
    );
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

/**
 * What `connect()` of `@weir/stream` calls for a `nats://` URL (the `BackendPackage` contract).
 *
 * @example
 * const stream = await openStream({ url: "nats://127.0.0.1:4222", timeoutMs: 10_000 });
 */
export function openStream(options: BackendOpenOptions): Promise<NatsStream> {
  return NatsStream.open(options);
}
