import { BaseStream } from "../core/base-stream.js";
import type { ResolvedSubscribeOptions } from "../core/base-stream.js";
import type { EncodedEvent } from "../core/encode-event.js";
import { retry, sleep } from "../core/retry-policy.js";
import { StreamProtocolError } from "../errors.js";
import type { StreamError } from "../errors.js";
import type { PublishAck, Subscription, TopicInfo, TopicOptions } from "../types.js";
import { EmbeddedSubscription } from "./embedded-subscription.js";
import { DEFAULT_MAX_EVENT_BYTES, DeliveryFrameReader, PublishFrameWriter } from "@weir/protocol/stream";
import type { ServerFrame } from "@weir/protocol/stream";
import { WsLink, errorFromFrame } from "./ws-link.js";

/** Options of {@link EmbeddedStream.open}. */
export interface EmbeddedOptions {
  readonly url: string;
  readonly apiKey: string | undefined;
  readonly timeoutMs: number;
  readonly signal: AbortSignal | undefined;
  readonly maxEventBytes: number | undefined;
}

interface Waiter {
  readonly events: EncodedEvent[];
  resolve(acks: PublishAck[]): void;
  reject(error: unknown): void;
}

interface Batch {
  /** The batch's publish frame, written as events are published. */
  writer: PublishFrameWriter;
  waiters: Waiter[];
  timeoutMs: number;
  bytes: number;
}

/** Events a client keeps unacknowledged before `publish` waits (bounded memory). */
const MAX_IN_FLIGHT_EVENTS = 32_768;
/** Events per publish frame. */
const MAX_FRAME_EVENTS = 4096;
/** Approximate payload bytes per publish frame. */
const MAX_FRAME_BYTES = 4 * 1024 * 1024;

/** `http://host:4200` → `ws://host:4200/api/stream`. */
export function streamEndpoint(url: string): string {
  const parsed = new URL(url);
  parsed.protocol = parsed.protocol === "https:" || parsed.protocol === "wss:" ? "wss:" : "ws:";
  if (!parsed.pathname.endsWith("/api/stream"))
    parsed.pathname = parsed.pathname.replace(/\/$/, "") + "/api/stream";
  return parsed.toString();
}

/** The embedded backend: the event log inside the Weir server, over one WebSocket. */
export class EmbeddedStream extends BaseStream {
  readonly backend = "embedded" as const;
  maxEventBytes: number;
  readonly requestTimeoutMs: number;
  readonly #endpoint: string;
  readonly #apiKey: string | undefined;
  #link: WsLink | undefined;
  #opening: Promise<WsLink> | undefined;
  readonly #batches = new Map<string, Batch>();
  #flushScheduled = false;
  #inFlight = 0;
  #creditWaiters: { count: number; wake: () => void }[] = [];
  #creditHead = 0;
  readonly #subscriptions = new Map<number, EmbeddedSubscription>();
  #nextSubscription = 1;
  readonly #host = {
    link: () => this.link(),
    forget: (subscription: EmbeddedSubscription) => this.#subscriptions.delete(subscription.id),
    requestTimeoutMs: 0,
  };

  private constructor(options: EmbeddedOptions) {
    super();
    this.#endpoint = streamEndpoint(options.url);
    this.#apiKey = options.apiKey;
    this.requestTimeoutMs = options.timeoutMs;
    this.#host.requestTimeoutMs = options.timeoutMs;
    this.maxEventBytes = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
  }

  /** Connects (retrying while the server is unreachable, up to `timeoutMs`). */
  static async open(options: EmbeddedOptions): Promise<EmbeddedStream> {
    const stream = new EmbeddedStream(options);
    await stream.link(options.signal);
    return stream;
  }

  /** The open link, reconnecting when it dropped. */
  link(signal?: AbortSignal): Promise<WsLink> {
    if (this.#link?.open) return Promise.resolve(this.#link);
    this.assertOpen();
    this.#opening ??= retry(
      () =>
        WsLink.open(
          this.#endpoint,
          this.#apiKey,
          (frame) => this.#onFrame(frame),
          (frame) => this.#onDeliveries(frame),
          (link) => this.#onDrop(link),
        ),
      {
        what: `Connecting to the Weir server at ${this.#endpoint}`,
        timeoutMs: this.requestTimeoutMs,
        isRetryable: (error) => (error as StreamError).retryable === true,
        signal,
      },
    )
      .then((link) => {
        this.#link = link;
        this.maxEventBytes = Math.min(this.maxEventBytes, link.maxEventBytes);
        return link;
      })
      .finally(() => {
        this.#opening = undefined;
      });
    return this.#opening;
  }

  async #call(frame: Record<string, unknown> & { t: string }, topic = ""): Promise<unknown> {
    const link = await this.link();
    const answer = await link.request(
      { ...frame, r: link.nextRequestId() } as Parameters<WsLink["request"]>[0],
      this.requestTimeoutMs,
    );
    if (answer.t === "err") throw errorFromFrame(answer, topic);
    if (answer.t !== "ok") throw new StreamProtocolError(`Unexpected answer "${answer.t}" to "${frame.t}".`);
    return answer.result;
  }

  protected async doCreateTopic(name: string, options: TopicOptions, ifMissing: boolean): Promise<TopicInfo> {
    const opts = {
      ...(options.maxAgeMs === undefined ? {} : { maxAgeMs: options.maxAgeMs }),
      ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
    };
    return (await this.#call({ t: "create", topic: name, opts, ifMissing }, name)) as TopicInfo;
  }
  protected async doListTopics(): Promise<TopicInfo[]> {
    return (await this.#call({ t: "list" })) as TopicInfo[];
  }
  protected async doTopicInfo(name: string): Promise<TopicInfo> {
    return (await this.#call({ t: "info", topic: name }, name)) as TopicInfo;
  }
  protected async doDeleteTopic(name: string): Promise<void> {
    await this.#call({ t: "delete", topic: name }, name);
  }

  protected doPublish(
    topic: string,
    events: EncodedEvent[],
    timeoutMs: number,
    signal: AbortSignal | undefined,
  ): Promise<PublishAck[]> {
    // Hot path: no extra promise when there is room in the in-flight window.
    if (this.#tryAcquire(events.length)) return this.#enqueue(topic, events, timeoutMs);
    return this.#acquire(events.length).then(() => {
      if (signal?.aborted) {
        this.#release(events.length);
        throw signal.reason as Error;
      }
      return this.#enqueue(topic, events, timeoutMs);
    });
  }

  /** Adds events to the topic's next frame; the events' credit is released when the frame is answered. */
  #enqueue(topic: string, events: EncodedEvent[], timeoutMs: number): Promise<PublishAck[]> {
    return new Promise<PublishAck[]>((resolve, reject) => {
      let batch = this.#batches.get(topic);
      if (!batch) {
        batch = { writer: new PublishFrameWriter(topic), waiters: [], timeoutMs, bytes: 0 };
        this.#batches.set(topic, batch);
      }
      for (const event of events) {
        batch.writer.add(event);
        batch.bytes += event.size;
      }
      batch.waiters.push({ events, resolve, reject });
      batch.timeoutMs = Math.min(batch.timeoutMs, timeoutMs);
      if (batch.writer.count >= MAX_FRAME_EVENTS || batch.bytes >= MAX_FRAME_BYTES) this.#flushTopic(topic);
      else if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #tryAcquire(count: number): boolean {
    if (this.#creditHead !== this.#creditWaiters.length) return false;
    if (this.#inFlight > 0 && this.#inFlight + count > MAX_IN_FLIGHT_EVENTS) return false;
    this.#inFlight += count;
    return true;
  }

  /** Waits (first come, first served) until `count` more events may be in flight. */
  #acquire(count: number): Promise<void> {
    if (this.#tryAcquire(count)) return Promise.resolve();
    return new Promise((wake) => this.#creditWaiters.push({ count, wake }));
  }

  #release(count: number): void {
    this.#inFlight -= count;
    const waiters = this.#creditWaiters;
    while (this.#creditHead < waiters.length) {
      const head = waiters[this.#creditHead] as { count: number; wake: () => void };
      if (this.#inFlight > 0 && this.#inFlight + head.count > MAX_IN_FLIGHT_EVENTS) break;
      this.#creditHead++;
      this.#inFlight += head.count;
      head.wake();
    }
    if (this.#creditHead === waiters.length) {
      this.#creditWaiters = [];
      this.#creditHead = 0;
    } else if (this.#creditHead > 4096 && this.#creditHead * 2 > waiters.length) {
      this.#creditWaiters = waiters.slice(this.#creditHead);
      this.#creditHead = 0;
    }
  }

  #flush(): void {
    this.#flushScheduled = false;
    for (const topic of [...this.#batches.keys()]) this.#flushTopic(topic);
  }

  #flushTopic(topic: string): void {
    const batch = this.#batches.get(topic);
    if (!batch) return;
    this.#batches.delete(topic);
    void this.#sendBatch(topic, batch);
  }

  async #sendBatch(topic: string, batch: Batch): Promise<void> {
    try {
      await this.#exchange(topic, batch);
    } finally {
      this.#release(batch.writer.count);
    }
  }

  async #exchange(topic: string, batch: Batch): Promise<void> {
    const fail = (error: unknown): void => {
      for (const waiter of batch.waiters) waiter.reject(error);
    };
    let answer: ServerFrame;
    try {
      const link = await this.link();
      const r = link.nextRequestId();
      answer = await link.requestBinary(r, "publish", batch.writer.finish(r), batch.timeoutMs);
    } catch (error) {
      fail(error);
      return;
    }
    if (answer.t === "err") {
      fail(errorFromFrame(answer, topic));
      return;
    }
    if (answer.t !== "puback") {
      fail(new StreamProtocolError(`Unexpected answer "${answer.t}" to a publish.`));
      return;
    }
    const committedAt = new Date(answer.c);
    const dup = answer.dup ?? {};
    let index = 0;
    for (const waiter of batch.waiters) {
      const acks: PublishAck[] = [];
      for (const event of waiter.events) {
        const original = dup[String(index)];
        acks.push({
          id: original ?? event.id,
          topic,
          offset: answer.o[index] as number,
          committedAt,
          duplicate: original !== undefined,
        });
        index++;
      }
      waiter.resolve(acks);
    }
  }

  protected doSubscribe(topic: string, options: ResolvedSubscribeOptions): Subscription {
    const id = this.#nextSubscription++;
    const subscription = new EmbeddedSubscription(id, topic, options.group, options, this.#host);
    this.#subscriptions.set(id, subscription);
    return subscription;
  }

  #onFrame(frame: ServerFrame): void {
    if (frame.t === "suberr") this.#subscriptions.get(frame.s)?.fail(frame.code, frame.message, frame.known);
  }

  #onDeliveries(frame: Buffer): void {
    const reader = new DeliveryFrameReader(frame);
    this.#subscriptions.get(reader.subscription)?.deliver(reader);
  }

  #onDrop(link: WsLink): void {
    if (this.#link === link) this.#link = undefined;
    for (const subscription of [...this.#subscriptions.values()]) subscription.linkDropped(link);
  }

  protected async doClose(graceMs: number): Promise<void> {
    this.#flush();
    const deadline = Date.now() + graceMs;
    while (this.#inFlight > 0 && Date.now() < deadline) await sleep(5);
    await Promise.all([...this.#subscriptions.values()].map((subscription) => subscription.close()));
    await this.#link?.close();
  }
}
