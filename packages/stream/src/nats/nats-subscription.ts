import type { ConsumerMessages, JetStreamClient, JetStreamManager, JsMsg } from "nats";
import { AckPolicy, DeliverPolicy, nanos } from "nats";

import type { ResolvedSubscribeOptions } from "../core/base-stream.js";
import { EventQueue } from "../core/event-queue.js";
import { ReceivedEvent } from "../core/received-event.js";
import type { Settler } from "../core/received-event.js";
import type { StreamEvent, Subscription } from "../types.js";
import { backoffDelay, sleep } from "../core/retry-policy.js";
import { HEADER, streamName } from "./nats-names.js";

/** What a subscription needs from its stream. */
export interface NatsSubscriptionHost {
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  /** Maps a JetStream error to a typed one. */
  translate(error: unknown, topic: string): Promise<unknown>;
  deadLetter(message: JsMsg, topic: string, reason: string): Promise<void>;
  forget(subscription: NatsSubscription): void;
}

/** Quiet time after which no message is assumed to be in flight to a closing subscriber. */
const QUIET_MS = 100;

const EMPTY: Readonly<Record<string, string>> = Object.freeze({});

/** A pull consumer of a group (durable) or an ephemeral reader. */
export class NatsSubscription implements Subscription, Settler {
  readonly #queue: EventQueue<StreamEvent>;
  #messages: ConsumerMessages | undefined;
  #closed = false;
  readonly #outstanding = new Map<number, JsMsg>();
  readonly #nacked = new Set<number>();
  #ephemeral: string | undefined;
  #lastSeq = 0;

  constructor(
    readonly topic: string,
    readonly group: string | undefined,
    private readonly options: ResolvedSubscribeOptions,
    private readonly host: NatsSubscriptionHost,
  ) {
    this.#queue = new EventQueue(() => this.close());
    options.signal?.addEventListener("abort", () => void this.close(), { once: true });
    void this.#run();
  }

  async #consumerName(stream: string): Promise<string> {
    const { group, ackWaitMs, maxDeliver, maxInFlight } = this.options;
    const reuse = group ?? this.#ephemeral;
    if (reuse !== undefined) {
      const existing = await this.host.jsm.consumers.info(stream, reuse).catch(() => undefined);
      if (existing) return reuse;
    }
    // An ephemeral reader that lost its consumer continues after the last event it saw.
    const from = group === undefined && this.#lastSeq > 0 ? { offset: this.#lastSeq + 1 } : this.options.from;
    const start =
      from === "earliest"
        ? { deliver_policy: DeliverPolicy.All }
        : from === "latest"
          ? { deliver_policy: DeliverPolicy.New }
          : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: Math.max(1, from.offset) };
    const info = await this.host.jsm.consumers.add(stream, {
      ...(group === undefined ? { inactive_threshold: nanos(30_000) } : { durable_name: group }),
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(ackWaitMs),
      // One extra delivery lets the client see that maxDeliver was exceeded and move the event to the dead-letter topic.
      max_deliver: maxDeliver + 1,
      max_ack_pending: Math.max(1000, maxInFlight * 4),
      ...start,
    });
    if (group === undefined) this.#ephemeral = info.name;
    return info.name;
  }

  /**
   * Pulls with bounded `fetch`es rather than `consume`, so that `close()` can wait until nothing is
   * in flight before it stops the pull: a message the server sent after the client unsubscribed
   * would stay pending until `ackWaitMs`. Everything that arrives is handed back with `nak`.
   */
  async #run(): Promise<void> {
    const stream = streamName(this.topic);
    for (let attempt = 0; !this.#closed; attempt++) {
      try {
        await this.#pull(stream);
      } catch (error) {
        if (this.#closed) break;
        const typed = await this.host.translate(error, this.topic);
        // A JetStream cluster electing a leader or a reconnecting client: try again.
        if ((typed as { retryable?: boolean }).retryable === true) {
          await sleep(backoffDelay(attempt));
          continue;
        }
        this.#closed = true;
        this.host.forget(this);
        this.#queue.end(typed);
      }
    }
    this.#finished = true;
    this.#stopped();
  }

  async #pull(stream: string): Promise<void> {
    const name = await this.#consumerName(stream);
    const consumer = await this.host.js.consumers.get(stream, name);
    let emptyPulls = 0;
    while (!this.#closed) {
      const room = this.options.maxInFlight - this.#outstanding.size;
      if (room <= 0) {
        await new Promise<void>((resolve) => (this.#wake = resolve));
        continue;
      }
      // A long expiry: nats.js closes a fetch 5% after it, and a pull the server still holds when the
      // client closed it loses the messages sent to it until ackWaitMs (the margin must beat event-loop lag).
      const startedAt = Date.now();
      let received = 0;
      this.#messages = await consumer.fetch({ max_messages: Math.min(room, 4096), expires: 30_000 });
      for await (const message of this.#messages) {
        received++;
        this.#lastReceivedAt = Date.now();
        if (this.#closed) message.nak();
        else this.#receive(message);
      }
      // A pull the server refused at once (e.g. 409 max ack pending) must not become a busy loop.
      if (received === 0 && Date.now() - startedAt < 1000) {
        // Refused pulls in a row may mean the topic or group was deleted: this throws if so.
        if (++emptyPulls % 5 === 0) await this.host.jsm.consumers.info(stream, name);
        await sleep(backoffDelay(emptyPulls));
      } else emptyPulls = 0;
    }
  }

  #wake: (() => void) | undefined;
  #lastReceivedAt = 0;
  #finished = false;
  #stopped: () => void = () => undefined;
  readonly #done = new Promise<void>((resolve) => (this.#stopped = resolve));

  #settled(offset: number): void {
    this.#outstanding.delete(offset);
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  #receive(message: JsMsg): void {
    const seq = message.seq;
    if (seq > this.#lastSeq) this.#lastSeq = seq;
    const count = message.info.deliveryCount;
    if (count > this.options.maxDeliver) {
      const delivered = count - 1;
      const why = this.#nacked.delete(seq)
        ? "nacked"
        : `not acknowledged within ${this.options.ackWaitMs} ms`;
      void this.host
        .deadLetter(
          message,
          this.topic,
          `${why} after ${delivered} deliveries (maxDeliver ${this.options.maxDeliver})`,
        )
        .then(
          () => message.term(),
          () => message.nak(),
        );
      return;
    }
    const headers = message.headers;
    const version = headers?.get(HEADER.typeVersion);
    const metadata = headers?.get(HEADER.metadata);
    this.#outstanding.set(seq, message);
    this.#queue.push(
      new ReceivedEvent(
        {
          id: headers?.get(HEADER.id) || `${message.info.stream}:${seq}`,
          topic: this.topic,
          offset: seq,
          data: message.data,
          mimetype: headers?.get(HEADER.mimetype) || "application/octet-stream",
          typeName: headers?.get(HEADER.typeName) || undefined,
          typeVersion: version ? Number(version) : undefined,
          metadata: metadata ? (JSON.parse(metadata) as Record<string, string>) : EMPTY,
          createdAt: new Date(Math.floor(message.info.timestampNanos / 1e6)),
          deliveryCount: count,
        },
        this,
        message,
      ),
    );
  }

  ack(event: ReceivedEvent): Promise<void> {
    this.#settled(event.offset);
    this.#nacked.delete(event.offset);
    (event.handle as JsMsg).ack();
    return Promise.resolve();
  }

  nack(event: ReceivedEvent, delayMs: number): Promise<void> {
    this.#settled(event.offset);
    this.#nacked.add(event.offset);
    (event.handle as JsMsg).nak(delayMs > 0 ? delayMs : undefined);
    return Promise.resolve();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.host.forget(this);
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
    // Stop the open pull once no message has arrived for a moment (nothing left in flight).
    while (!this.#finished) {
      if (Date.now() - this.#lastReceivedAt >= QUIET_MS) this.#messages?.stop();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await this.#done;
    // Hand back what this member holds so that other members get it now, as on the other backends.
    this.#queue.drain();
    for (const message of this.#outstanding.values()) message.nak();
    this.#outstanding.clear();
    this.#queue.end();
    if (this.#ephemeral)
      await this.host.jsm.consumers.delete(streamName(this.topic), this.#ephemeral).catch(() => undefined);
  }

  [Symbol.asyncIterator](): AsyncIterator<StreamEvent> {
    return this.#queue[Symbol.asyncIterator]();
  }
}
