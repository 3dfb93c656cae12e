import { AckPolicy, DeliverPolicy } from "@nats-io/jetstream";
import type { JetStreamManager } from "@nats-io/jetstream";
import { createInbox, nanos } from "@nats-io/transport-node";
import type { Msg, MsgHdrs, NatsConnection, Subscription as NatsSub } from "@nats-io/transport-node";
import { StreamRefusedError } from "@weir/stream";
import type { StreamEvent, Subscription } from "@weir/stream";
import { backoffDelay, EventQueue, sleep, TopicIdentity } from "@weir/stream/backend";
import type { ResolvedSubscribeOptions } from "@weir/stream/backend";

import { ACK, nakPayload, parseAckSubject, TERM } from "./nats-codec.js";
import type { Delivery } from "./nats-codec.js";
import { NatsEvent } from "./nats-event.js";
import type { NatsSettler } from "./nats-event.js";
import { isConsumerNotFound } from "./nats-errors.js";
import { pullSubject, streamName } from "./nats-names.js";

/** What a subscription needs from its stream. */
export interface NatsSubscriptionHost {
  readonly nc: NatsConnection;
  readonly jsm: JetStreamManager;
  /** Maps a JetStream error to a typed one. */
  translate(error: unknown, topic: string): Promise<unknown>;
  deadLetter(message: Msg, delivery: Delivery, topic: string, reason: string): Promise<void>;
  forget(subscription: NatsSubscription): void;
}

/** How long the server keeps a pull request open. */
const PULL_EXPIRES_MS = 30_000;
/** The server sends a heartbeat this often while a pull request waits; two silent periods mean it was lost. */
const HEARTBEAT_MS = 5_000;
/** A new pull request asks for at least this share of `maxInFlight` (fewer, larger requests). */
const REFILL_SHARE = 4;
/** How long `close()` waits for the server: to confirm that it stopped sending, then to drop the pulls. */
const CLOSE_TIMEOUT_MS = 5_000;
const PENDING_MESSAGES = "Nats-Pending-Messages";

const encoder = new TextEncoder();
const RESOLVED = Promise.resolve();

/**
 * A member of a group (a durable pull consumer) or an ephemeral reader (an ephemeral consumer).
 *
 * It pulls through one inbox subscription that lives as long as the subscription, with pipelined pull
 * requests: a new request goes out as soon as acknowledgements free a quarter of `maxInFlight`, while
 * earlier ones are still being filled (the server does not wait a round trip between batches), and the
 * subscriber never holds more than `maxInFlight` unacknowledged events. Because the inbox is never dropped while pull requests are open, no message
 * can arrive at a subscription the client already forgot (which would leave it pending until
 * `ackWaitMs`). `close()` unsubscribes and waits for the server's PONG: whatever arrives before it,
 * and every event still held, is handed back with a NAK so that other members get it at once.
 */
export class NatsSubscription implements Subscription, NatsSettler {
  readonly #queue: EventQueue<StreamEvent>;
  readonly #stream: string;
  /** The stream's `created` time, checked at every attach: a re-created stream ends the subscription. */
  readonly #identity: TopicIdentity;
  readonly #inbox = createInbox();
  #inboxSubscription: NatsSub | undefined;
  /** Where pull requests go; `undefined` while (re)attaching to the consumer. */
  #pullTo: string | undefined;
  /** Messages asked for in open pull requests and not received yet. */
  #requested = 0;
  /** Open pull requests by reply subject: their size and when they were sent. */
  readonly #requests = new Map<string, { readonly batch: number; readonly sentAt: number }>();
  #requestCount = 0;
  /** Held events (queued or handed out, not settled) by offset. */
  readonly #outstanding = new Map<number, Msg>();
  readonly #nacked = new Set<number>();
  /** Acks not sent yet: they go out together once the application's current run of work ends. */
  #acks: Msg[] = [];
  #ephemeral: string | undefined;
  #lastSeq = 0;
  #attaching = false;
  /** Consecutive re-attachments without a message in between (for backoff). */
  #troubles = 0;
  /** Messages heard on the inbox; compared between heartbeat checks. */
  #heard = 0;
  #heardAtCheck = 0;
  #silentChecks = 0;
  #lastCheckAt = Date.now();
  #monitor: ReturnType<typeof setInterval> | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;
  /** `close()` has NAKed what this member held: anything arriving later is NAKed at once. */
  #handedBack = false;

  constructor(
    readonly topic: string,
    readonly group: string | undefined,
    private readonly options: ResolvedSubscribeOptions,
    private readonly host: NatsSubscriptionHost,
  ) {
    this.#stream = streamName(topic);
    this.#identity = new TopicIdentity(topic);
    this.#queue = new EventQueue(() => this.close());
    options.signal?.addEventListener("abort", () => void this.close(), { once: true });
    this.#monitor = setInterval(() => this.#check(), HEARTBEAT_MS);
    this.#monitor.unref();
    void this.#attach();
  }

  async #consumerName(): Promise<string> {
    const { group, ackWaitMs, maxDeliver, maxInFlight } = this.options;
    // One extra delivery lets the client see that maxDeliver was exceeded and move the event to the dead-letter topic.
    const limits = {
      ack_wait: nanos(ackWaitMs),
      max_deliver: maxDeliver + 1,
      max_ack_pending: Math.max(1000, maxInFlight * 4),
    };
    const reuse = group ?? this.#ephemeral;
    if (reuse !== undefined) {
      // Only a consumer JetStream says is missing is created: any other failure (no leader yet…) is
      // thrown, to be retried or reported, rather than met by an add that the server may refuse.
      const existing = await this.host.jsm.consumers.info(this.#stream, reuse).catch((error: unknown) => {
        if (isConsumerNotFound(error)) return undefined;
        throw error;
      });
      if (existing) {
        // A group keeps its position, but takes the limits its members now ask for.
        const { config } = existing;
        if (
          group !== undefined &&
          (config.ack_wait !== limits.ack_wait ||
            config.max_deliver !== limits.max_deliver ||
            config.max_ack_pending !== limits.max_ack_pending)
        )
          await this.host.jsm.consumers.update(this.#stream, reuse, limits);
        return reuse;
      }
    }
    // An ephemeral reader that lost its consumer continues after the last event it saw.
    const from = group === undefined && this.#lastSeq > 0 ? { offset: this.#lastSeq + 1 } : this.options.from;
    const start =
      from === "earliest"
        ? { deliver_policy: DeliverPolicy.All }
        : from === "latest"
          ? { deliver_policy: DeliverPolicy.New }
          : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: Math.max(1, from.offset) };
    const info = await this.host.jsm.consumers.add(this.#stream, {
      ...(group === undefined ? { inactive_threshold: nanos(30_000) } : { durable_name: group }),
      ack_policy: AckPolicy.Explicit,
      ...limits,
      ...start,
    });
    if (group === undefined) this.#ephemeral = info.name;
    return info.name;
  }

  /** Finds (or creates) the consumer, then starts pulling. Retries while the error is retryable. */
  async #attach(): Promise<void> {
    if (this.#attaching) return;
    this.#attaching = true;
    try {
      // Repeated trouble (e.g. pulls refused right after attaching) must not become a busy loop.
      if (this.#troubles > 1) await sleep(backoffDelay(this.#troubles));
      for (let attempt = 0; !this.#closed; attempt++) {
        try {
          const stream = await this.host.jsm.streams.info(this.#stream);
          const changed = this.#identity.attached(stream.created);
          if (changed) {
            this.#fail(changed);
            return;
          }
          const name = await this.#consumerName();
          if (this.#closed) return;
          this.#inboxSubscription ??= this.host.nc.subscribe(`${this.#inbox}.*`, {
            callback: (error, msg) => this.#onMessage(error, msg),
          });
          this.#pullTo = pullSubject(this.#stream, name);
          this.#refill();
          return;
        } catch (error) {
          if (this.#closed) return;
          const typed = await this.host.translate(error, this.topic);
          // A JetStream cluster electing a leader or a reconnecting client: try again.
          if ((typed as { retryable?: boolean }).retryable === true) {
            await sleep(backoffDelay(attempt));
            continue;
          }
          this.#fail(typed);
        }
      }
    } finally {
      this.#attaching = false;
    }
  }

  get topicId(): Promise<string> {
    return this.#identity.promise;
  }

  /** Forgets the open pull requests (they may be gone) and attaches again. */
  reattach(): void {
    if (this.#closed) return;
    this.#troubles++;
    this.#pullTo = undefined;
    this.#requested = 0;
    this.#requests.clear();
    void this.#attach();
  }

  /** Asks for more when room for at least a quarter of `maxInFlight` (or anything, when idle) is free. */
  #refill(): void {
    const to = this.#pullTo;
    if (to === undefined || this.#closed || this.#retryTimer !== undefined) return;
    const { maxInFlight } = this.options;
    const room = maxInFlight - this.#outstanding.size - this.#requested;
    if (room <= 0 || (this.#requested > 0 && room * REFILL_SHARE < maxInFlight)) return;
    const reply = `${this.#inbox}.${++this.#requestCount}`;
    this.#requests.set(reply, { batch: room, sentAt: Date.now() });
    this.#requested += room;
    const request = { batch: room, expires: nanos(PULL_EXPIRES_MS), idle_heartbeat: nanos(HEARTBEAT_MS) };
    try {
      this.host.nc.publish(to, encoder.encode(JSON.stringify(request)), { reply });
    } catch {
      // The connection is closing or closed: nothing was sent.
      this.#requests.delete(reply);
      this.#requested -= room;
      this.#refillLater(1000);
    }
  }

  /** Refills after `ms` (the server refused a request; asking again at once would spin). */
  #refillLater(ms: number): void {
    if (this.#retryTimer !== undefined || this.#closed) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#refill();
    }, ms);
  }

  /** Called by nats.js for each message on the inbox, synchronously while it parses the socket data. */
  #onMessage(error: Error | null, msg: Msg): void {
    try {
      this.#handle(error, msg);
    } catch (failure) {
      this.#fail(failure);
    }
  }

  #handle(error: Error | null, msg: Msg): void {
    if (error) {
      // The inbox subscription itself failed (e.g. a permissions error): terminal.
      void this.host.translate(error, this.topic).then((typed) => this.#fail(typed));
      return;
    }
    this.#heard++;
    const reply = msg.reply;
    if (!reply) {
      this.#status(msg);
      return;
    }
    this.#troubles = 0;
    const delivery = parseAckSubject(reply);
    if (delivery !== undefined) this.#deliver(msg, delivery);
    // The last open pull is filled: ask for whatever room is left, however small (an app may wait
    // for maxInFlight events before it acknowledges any).
    if (this.#requested > 0 && --this.#requested === 0) this.#refill();
  }

  /** A status from the server about one pull request (heartbeat, expired, refused…). */
  #status(msg: Msg): void {
    const headers = msg.headers;
    const code = headers?.code ?? 0;
    if (code === 100) return; // idle heartbeat
    // Every other status ends the request it answers.
    const request = this.#requests.get(msg.subject);
    this.#requests.delete(msg.subject);
    const unfilled = pendingMessages(headers) ?? request?.batch ?? 0;
    this.#requested = Math.max(0, this.#requested - unfilled);
    const description = (headers?.description ?? "").toLowerCase();
    if (
      code === 404 ||
      code === 408 ||
      (code === 409 && /batch completed|exceeds maxbytes/.test(description))
    )
      this.#refill();
    else if (code === 503 || (code === 409 && /consumer (is push based|deleted)/.test(description)))
      // No responder (stream or consumer gone, or no leader yet) or a deleted consumer.
      this.reattach();
    else if (code === 400)
      this.#fail(
        new StreamRefusedError(
          `JetStream refused a pull for topic "${this.topic}": ${description}. Asking again would get the ` +
            "same answer: check the group's settings (ackWaitMs, maxDeliver, maxInFlight) and the server's limits.",
        ),
      );
    else this.#refillLater(backoffDelay(Math.min(this.#troubles++, 10)));
  }

  #deliver(msg: Msg, delivery: Delivery): void {
    const { seq, deliveryCount } = delivery;
    if (this.#closed) {
      // Sent before the UNSUB took effect: handed back with the rest once the pulls are gone.
      if (this.#handedBack) msg.respond(nakPayload(0));
      else this.#outstanding.set(seq, msg);
      return;
    }
    if (seq > this.#lastSeq) this.#lastSeq = seq;
    if (deliveryCount > this.options.maxDeliver) {
      const why = this.#nacked.delete(seq)
        ? "nacked"
        : `not acknowledged within ${this.options.ackWaitMs} ms`;
      const reason = `${why} after ${deliveryCount - 1} deliveries (maxDeliver ${this.options.maxDeliver})`;
      void this.host.deadLetter(msg, delivery, this.topic, reason).then(
        () => msg.respond(TERM),
        () => msg.respond(nakPayload(0)),
      );
      return;
    }
    this.#outstanding.set(seq, msg);
    this.#queue.push(
      new NatsEvent(msg, delivery, this.topic, this.#identity.value ?? "", this.#stream, this),
    );
  }

  /** Every heartbeat period: notices pull requests that went silent (lost with a server or leader). */
  #check(): void {
    const now = Date.now();
    // A check that runs late means the event loop was blocked: messages may be waiting unread.
    const onTime = now - this.#lastCheckAt < HEARTBEAT_MS * 1.5;
    this.#lastCheckAt = now;
    for (const [reply, request] of this.#requests)
      if (now - request.sentAt > PULL_EXPIRES_MS + HEARTBEAT_MS) this.#requests.delete(reply);
    const silent = this.#requested > 0 && this.#heard === this.#heardAtCheck && onTime;
    this.#heardAtCheck = this.#heard;
    this.#silentChecks = silent ? this.#silentChecks + 1 : 0;
    if (this.#silentChecks >= 2) {
      this.#silentChecks = 0;
      this.reattach();
    }
  }

  #settled(offset: number): void {
    this.#outstanding.delete(offset);
    this.#refill();
  }

  readonly #sendAcks = (): void => {
    const acks = this.#acks;
    this.#acks = [];
    for (const msg of acks) respond(msg, ACK);
  };

  /**
   * Acks are gathered until the application's current run of work ends (`process.nextTick` runs once
   * the microtasks are drained, i.e. once it has handled the events of one socket read), then go out
   * in one socket write. Sent one by one, each would be flushed alone (the client flushes after the
   * microtask that follows the first write); held until `setImmediate`, every acknowledged message —
   * and the socket buffer it points into — would stay alive across garbage collections while the server
   * sends the next thousands.
   */
  ack(event: NatsEvent): Promise<void> {
    if (this.#nacked.size > 0) this.#nacked.delete(event.offset);
    if (this.#acks.length === 0) process.nextTick(this.#sendAcks);
    this.#acks.push(event.message);
    this.#settled(event.offset);
    return RESOLVED;
  }

  nack(event: NatsEvent, delayMs: number): Promise<void> {
    this.#nacked.add(event.offset);
    respond(event.message, nakPayload(delayMs));
    this.#settled(event.offset);
    return RESOLVED;
  }

  #fail(error: unknown): void {
    if (this.#closed) return;
    this.#stop();
    this.#identity.ended(error);
    this.#inboxSubscription?.unsubscribe();
    this.#queue.end(error);
  }

  #stop(): void {
    this.#closed = true;
    this.host.forget(this);
    clearInterval(this.#monitor);
    clearTimeout(this.#retryTimer);
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    if (this.#closed) return;
    this.#stop();
    this.#identity.ended();
    const deadline = Date.now() + CLOSE_TIMEOUT_MS;
    // UNSUB, then PING: the server delivers nothing to the inbox after the UNSUB, and what it sent
    // before arrives ahead of the PONG (and is held by #deliver, to be handed back with the rest).
    const inbox = this.#inboxSubscription;
    if (inbox && !inbox.isClosed()) await within(inbox.drain(), deadline);
    this.#sendAcks();
    this.#queue.drain();
    await this.#handBack(deadline);
    this.#queue.end();
    if (this.#ephemeral)
      await this.host.jsm.consumers.delete(this.#stream, this.#ephemeral).catch(() => undefined);
  }

  /**
   * NAKs every event this member holds, so that the other members get it now, as on the other
   * backends. First the server must forget this member's pull requests: it still counts them as
   * waiting after the UNSUB, and nats-server 2.9 hands a NAKed event to such a request although nobody
   * listens any more — that event then comes back only after `ackWaitMs`, and the server sends another
   * one twice. A consumer info request makes the server drop the pull requests that lost their
   * listener (there is no request to cancel a pull).
   */
  async #handBack(deadline: number): Promise<void> {
    if (this.#outstanding.size > 0 && this.group !== undefined)
      await within(this.host.jsm.consumers.info(this.#stream, this.group), deadline);
    this.#handedBack = true;
    const nak = nakPayload(0);
    try {
      for (const msg of this.#outstanding.values()) msg.respond(nak);
    } catch {
      // The connection closed: the server redelivers these events after ackWaitMs (at least once).
    }
    this.#outstanding.clear();
  }

  [Symbol.asyncIterator](): AsyncIterator<StreamEvent> {
    return this.#queue[Symbol.asyncIterator]();
  }
}

/** Answers a delivered message (ACK, NAK…); on a closed connection the server redelivers it after ackWaitMs. */
function respond(message: Msg, answer: Uint8Array): void {
  try {
    message.respond(answer);
  } catch {
    // The connection closed: the event comes back after ackWaitMs (at least once).
  }
}

/** Waits for `promise` to settle, but not past `deadline` (ms since the epoch); never rejects. */
async function within(promise: Promise<unknown>, deadline: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    promise.catch(() => undefined),
    new Promise((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - Date.now())))),
  ]);
  clearTimeout(timer);
}

/** How many messages of a pull request the server will no longer send (from a 408/409 status). */
function pendingMessages(headers: MsgHdrs | undefined): number | undefined {
  const value = headers?.get(PENDING_MESSAGES);
  return value ? Number(value) : undefined;
}
