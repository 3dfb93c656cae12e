import { BaseStream } from "../core/base-stream.js";
import type { ResolvedSubscribeOptions } from "../core/base-stream.js";
import type { EncodedEvent } from "../core/encode-event.js";
import { EventQueue } from "../core/event-queue.js";
import { ReceivedEvent } from "../core/received-event.js";
import type { Settler } from "../core/received-event.js";
import { TopicIdentity } from "../core/topic-identity.js";
import { TopicNotFoundError } from "../errors.js";
import type { PublishAck, StreamEvent, Subscription, TopicInfo, TopicOptions } from "../types.js";
import type { GroupEngine, GroupMember } from "@weir/protocol/stream";
import { DEFAULT_MAX_EVENT_BYTES, ephemeralGroupName } from "@weir/protocol/stream";
import { MemoryBroker } from "./memory-broker.js";
import type { MemoryEvent } from "./memory-broker.js";

class MemorySubscription implements Subscription, GroupMember<MemoryEvent>, Settler {
  inFlight = 0;
  readonly maxInFlight: number;
  readonly ackWaitMs: number;
  readonly maxDeliver: number;
  readonly #queue: EventQueue<StreamEvent>;
  readonly #identity: TopicIdentity;
  #engine: GroupEngine<MemoryEvent> | undefined;
  #closed = false;
  #forgetTopic: (() => void) | undefined;

  constructor(
    readonly topic: string,
    readonly group: string | undefined,
    options: ResolvedSubscribeOptions,
    broker: MemoryBroker,
    private readonly onClose: (subscription: MemorySubscription) => void,
  ) {
    this.maxInFlight = options.maxInFlight;
    this.ackWaitMs = options.ackWaitMs;
    this.maxDeliver = options.maxDeliver;
    this.#queue = new EventQueue(() => this.close());
    this.#identity = new TopicIdentity(topic);
    const groupName = group ?? ephemeralGroupName();
    try {
      this.#engine = broker.group(topic, groupName, options.from);
    } catch (error) {
      this.#identity.ended(error);
      this.#queue.end(error);
      return;
    }
    const state = broker.topic(topic);
    this.#identity.attached(state.topicId);
    // As on the other backends, a deleted topic ends its subscriptions.
    const deleted = (): void => this.#fail(new TopicNotFoundError(topic, broker.topicNames()));
    state.deletedListeners.add(deleted);
    this.#forgetTopic = () => state.deletedListeners.delete(deleted);
    options.signal?.addEventListener("abort", () => void this.close(), { once: true });
    if (options.signal?.aborted) {
      void this.close();
      return;
    }
    // Deliver on the next tick so that the caller can start iterating first.
    queueMicrotask(() => {
      if (!this.#closed) this.#engine?.addMember(this);
    });
    if (group === undefined) this.#ephemeral = () => broker.dropGroup(topic, groupName);
  }

  #ephemeral: (() => void) | undefined;

  get topicId(): Promise<string> {
    return this.#identity.promise;
  }

  deliver(event: MemoryEvent, deliveryCount: number): void {
    this.#queue.push(
      new ReceivedEvent(
        {
          id: event.id,
          topic: event.topic,
          offset: event.offset,
          data: event.data,
          mimetype: event.mimetype,
          typeName: event.typeName,
          typeVersion: event.typeVersion,
          metadata: event.metadata,
          createdAt: new Date(event.createdAt),
          deliveryCount,
        },
        this.#identity.value ?? "",
        this,
      ),
    );
  }

  ack(event: ReceivedEvent): Promise<void> {
    this.#engine?.ack(event.offset);
    return Promise.resolve();
  }

  nack(event: ReceivedEvent, delayMs: number): Promise<void> {
    this.#engine?.nack(event.offset, delayMs);
    return Promise.resolve();
  }

  #fail(error: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#forgetTopic?.();
    this.#engine?.removeMember(this);
    this.#queue.end(error);
    this.onClose(this);
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    this.#forgetTopic?.();
    this.#identity.ended();
    this.#queue.drain();
    this.#engine?.removeMember(this);
    this.#ephemeral?.();
    this.#queue.end();
    this.onClose(this);
    return Promise.resolve();
  }

  [Symbol.asyncIterator](): AsyncIterator<StreamEvent> {
    return this.#queue[Symbol.asyncIterator]();
  }
}

/** The in-process backend (`memory:`), with the same contract as the others; for tests. */
export class MemoryStream extends BaseStream {
  readonly backend = "memory" as const;
  readonly maxEventBytes: number;
  readonly #broker: MemoryBroker;
  readonly #subscriptions = new Set<MemorySubscription>();

  constructor(name = "", maxEventBytes = DEFAULT_MAX_EVENT_BYTES) {
    super();
    this.#broker = MemoryBroker.named(name);
    this.maxEventBytes = maxEventBytes;
  }

  protected doCreateTopic(name: string, options: TopicOptions, ifMissing: boolean): Promise<TopicInfo> {
    return Promise.resolve(this.#broker.createTopic(name, options, ifMissing));
  }
  protected doListTopics(): Promise<TopicInfo[]> {
    return Promise.resolve(this.#broker.listTopics());
  }
  protected doTopicInfo(name: string): Promise<TopicInfo> {
    return Promise.resolve(this.#broker.topic(name).info());
  }
  protected doDeleteTopic(name: string): Promise<void> {
    this.#broker.deleteTopic(name);
    return Promise.resolve();
  }
  protected doPublish(topic: string, events: EncodedEvent[]): Promise<PublishAck[]> {
    return Promise.resolve(this.#broker.publish(topic, events));
  }
  protected doSubscribe(topic: string, options: ResolvedSubscribeOptions): Subscription {
    const subscription = new MemorySubscription(topic, options.group, options, this.#broker, (sub) =>
      this.#subscriptions.delete(sub),
    );
    this.#subscriptions.add(subscription);
    return subscription;
  }
  protected async doClose(): Promise<void> {
    await Promise.all([...this.#subscriptions].map((subscription) => subscription.close()));
  }
}
