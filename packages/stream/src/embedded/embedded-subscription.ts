import { EventQueue } from "../core/event-queue.js";
import { ReceivedEvent } from "../core/received-event.js";
import type { Settler } from "../core/received-event.js";
import type { ResolvedSubscribeOptions } from "../core/base-stream.js";
import { backoffDelay, sleep } from "../core/retry-policy.js";
import { TopicIdentity } from "../core/topic-identity.js";
import { StreamProtocolError } from "../errors.js";
import type { StreamError } from "../errors.js";
import type { StreamEvent, Subscription } from "../types.js";
import type { DeliveryFrameReader, ServerFrame, WireStart, WireSubscribed } from "@weir/protocol/stream";
import type { WsLink } from "./ws-link.js";
import { errorFromFrame } from "./ws-link.js";

/** What a subscription needs from its stream. */
export interface SubscriptionHost {
  link(): Promise<WsLink>;
  forget(subscription: EmbeddedSubscription): void;
  readonly requestTimeoutMs: number;
}

const EMPTY: Readonly<Record<string, string>> = Object.freeze({});
/** What `ack` returns: acks are sent in batches, so there is nothing to wait for (one promise for all). */
const SETTLED: Promise<void> = Promise.resolve();
/** Acknowledgements are sent once this many are waiting, without waiting for the tick to end. */
const ACK_BATCH = 1024;

/**
 * A subscription over the WebSocket; it re-subscribes by itself after the connection drops, and
 * ends with a `TopicChangedError` if the topic it then finds is another incarnation.
 */
export class EmbeddedSubscription implements Subscription, Settler {
  readonly #queue: EventQueue<StreamEvent>;
  readonly #identity: TopicIdentity;
  /** Acknowledged offsets not sent yet, as inclusive ranges `[first, last, first, last, …]`. */
  #acks: number[] = [];
  #ackCount = 0;
  #ackScheduled = false;
  #link: WsLink | undefined;
  #closed = false;
  #lastOffset = 0;

  constructor(
    readonly id: number,
    readonly topic: string,
    readonly group: string | undefined,
    private readonly options: ResolvedSubscribeOptions,
    private readonly host: SubscriptionHost,
  ) {
    this.#queue = new EventQueue(() => this.close());
    this.#identity = new TopicIdentity(topic);
    options.signal?.addEventListener("abort", () => void this.close(), { once: true });
    void this.#start();
  }

  async #start(): Promise<void> {
    for (let attempt = 0; !this.#closed; attempt++) {
      try {
        const link = await this.host.link();
        if (this.#closed) return;
        const from: WireStart =
          this.group === undefined && this.#lastOffset > 0
            ? { offset: this.#lastOffset + 1 }
            : this.options.from;
        await link.request(
          {
            t: "sub",
            r: link.nextRequestId(),
            s: this.id,
            topic: this.topic,
            ...(this.group === undefined ? {} : { group: this.group }),
            from,
            ackWaitMs: this.options.ackWaitMs,
            maxDeliver: this.options.maxDeliver,
            maxInFlight: this.options.maxInFlight,
          },
          this.host.requestTimeoutMs,
          (answer) => this.#subscribed(answer, link),
        );
        return;
      } catch (error) {
        if ((error as StreamError).retryable !== true) {
          this.#fail(error);
          return;
        }
        await sleep(backoffDelay(attempt)).catch(() => undefined);
      }
    }
  }

  get topicId(): Promise<string> {
    return this.#identity.promise;
  }

  /**
   * The answer to `sub`, handled as it arrives: the deliveries that follow it on the link are
   * stamped with the topic's identity, and none is queued from another incarnation of the topic.
   */
  #subscribed(answer: ServerFrame, link: WsLink): void {
    if (this.#closed) {
      // Closed while subscribing: the server has added this member, which nobody reads.
      if (answer.t === "ok") this.#unsubscribe(link);
      return;
    }
    if (answer.t === "err") {
      this.#fail(errorFromFrame(answer, this.topic));
      return;
    }
    const topicId =
      answer.t === "ok" ? (answer.result as Partial<WireSubscribed> | undefined)?.topicId : undefined;
    const error =
      typeof topicId === "string"
        ? this.#identity.attached(topicId)
        : new StreamProtocolError(
            `The Weir server answered a subscription to topic "${this.topic}" without its topicId ` +
              "(stream protocol v4): use matching versions of @weir/stream and the Weir server.",
          );
    if (error !== undefined) {
      // Acks held for the old topic are dropped with it: they name offsets of another incarnation.
      this.#fail(error);
      this.#unsubscribe(link);
      return;
    }
    this.#link = link;
    this.#flushAcks();
  }

  #unsubscribe(link: WsLink): void {
    if (!link.open) return;
    link
      .request({ t: "unsub", r: link.nextRequestId(), s: this.id }, this.host.requestTimeoutMs)
      .catch(() => undefined);
  }

  /** The connection dropped: deliveries stop; the server redelivers what was unacknowledged. */
  linkDropped(link: WsLink): void {
    if (this.#link !== link || this.#closed) return;
    this.#link = undefined;
    void this.#start();
  }

  /** Queues the events of a delivery frame; payloads stay in the frame until asked for. */
  deliver(reader: DeliveryFrameReader): void {
    const frame = reader.frame;
    // Set by the answer to `sub`, which the server sends before any delivery.
    const topicId = this.#identity.value ?? "";
    while (reader.next()) {
      const offset = reader.offset;
      if (offset > this.#lastOffset) this.#lastOffset = offset;
      const metadata = reader.metadata;
      this.#queue.push(
        new ReceivedEvent(
          {
            id: reader.id,
            topic: this.topic,
            offset,
            data: undefined,
            mimetype: reader.mimetype,
            typeName: reader.typeName,
            typeVersion: reader.typeVersion,
            metadata: metadata === undefined ? EMPTY : (JSON.parse(metadata) as Record<string, string>),
            createdAt: new Date(reader.createdAt),
            deliveryCount: reader.deliveryCount,
            frame,
            start: reader.payloadStart,
            end: reader.payloadEnd,
          },
          topicId,
          this,
        ),
      );
    }
  }

  fail(code: string, message: string, known?: string[]): void {
    this.#fail(errorFromFrame({ code, message, ...(known ? { known } : {}) }, this.topic));
  }

  ack(event: ReceivedEvent): Promise<void> {
    const offset = event.offset;
    const acks = this.#acks;
    const last = acks.length - 1;
    if (last > 0 && acks[last] === offset - 1) acks[last] = offset;
    else if (last > 0 && acks[last - 1] === offset + 1) acks[last - 1] = offset;
    else acks.push(offset, offset);
    if (++this.#ackCount >= ACK_BATCH) this.#flushAcks();
    else if (!this.#ackScheduled) {
      this.#ackScheduled = true;
      setImmediate(() => this.#flushAcks());
    }
    return SETTLED;
  }

  nack(event: ReceivedEvent, delayMs: number): Promise<void> {
    this.#flushAcks();
    try {
      this.#link?.send({ t: "nack", s: this.id, o: event.offset, delayMs });
    } catch {
      // The connection dropped; the server redelivers the event anyway.
    }
    return Promise.resolve();
  }

  #flushAcks(): void {
    this.#ackScheduled = false;
    if (this.#acks.length === 0 || !this.#link) return;
    const ranges = this.#acks;
    const count = this.#ackCount;
    this.#acks = [];
    this.#ackCount = 0;
    try {
      this.#link.send({ t: "ack", s: this.id, o: ranges });
    } catch {
      this.#acks = ranges.concat(this.#acks);
      this.#ackCount += count;
    }
  }

  #fail(error: unknown): void {
    this.#closed = true;
    this.#link = undefined;
    this.host.forget(this);
    this.#identity.ended(error);
    this.#queue.end(error);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#flushAcks();
    const link = this.#link;
    this.#link = undefined;
    this.host.forget(this);
    this.#identity.ended();
    this.#queue.drain();
    this.#queue.end();
    if (link?.open) {
      await link
        .request({ t: "unsub", r: link.nextRequestId(), s: this.id }, this.host.requestTimeoutMs)
        .catch(() => undefined);
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<StreamEvent> {
    return this.#queue[Symbol.asyncIterator]();
  }
}
