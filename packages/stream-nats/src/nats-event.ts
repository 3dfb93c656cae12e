import type { Msg } from "@nats-io/transport-node";
import type { StreamEvent } from "@weir/stream";
import { SettledOnce } from "@weir/stream/backend";
import type { EventSettler } from "@weir/stream/backend";

import { decodeHeaders } from "./nats-codec.js";
import type { Delivery, HeaderFields } from "./nats-codec.js";

const decoder = new TextDecoder();

/** How a subscription settles the events it delivered. */
export type NatsSettler = EventSettler<NatsEvent>;

/**
 * A delivered JetStream message as a Weir event. Offset and delivery count come from the ack subject;
 * the fields carried by Weir's headers (`id`, `mimetype`, type, metadata) are decoded the first time one
 * of them is read, since most applications read only the payload. `ack`/`nack` settle it once (later
 * calls are no-ops), as on every backend.
 *
 * @example
 * for await (const event of stream.subscribe("river_pipeline", { group: "model" })) {
 *   learn(event.json()); await event.ack();
 * }
 */
export class NatsEvent extends SettledOnce<NatsEvent> implements StreamEvent {
  readonly offset: number;
  readonly deliveryCount: number;
  /** The JetStream stream: names a message that Weir did not publish (`<stream>:<seq>`). */
  readonly #stream: string;
  readonly #storedAtMs: number;
  #headers: HeaderFields | undefined;
  #createdAt: Date | undefined;
  #data: Uint8Array | undefined;
  #text: string | undefined;

  constructor(
    /** The message, whose reply subject acknowledges it. */
    readonly message: Msg,
    delivery: Delivery,
    readonly topic: string,
    readonly topicId: string,
    stream: string,
    settler: NatsSettler,
  ) {
    super(settler);
    this.offset = delivery.seq;
    this.deliveryCount = delivery.deliveryCount;
    this.#storedAtMs = delivery.storedAtMs;
    this.#stream = stream;
  }

  get #fields(): HeaderFields {
    this.#headers ??= decodeHeaders(this.message, this.#stream, this.offset);
    return this.#headers;
  }

  get id(): string {
    return this.#fields.id;
  }

  get mimetype(): string {
    return this.#fields.mimetype;
  }

  get typeName(): string | undefined {
    return this.#fields.typeName;
  }

  get typeVersion(): number | undefined {
    return this.#fields.typeVersion;
  }

  get metadata(): Readonly<Record<string, string>> {
    return this.#fields.metadata;
  }

  get createdAt(): Date {
    this.#createdAt ??= new Date(this.#storedAtMs);
    return this.#createdAt;
  }

  get data(): Uint8Array {
    this.#data ??= this.message.data;
    return this.#data;
  }

  text(): string {
    this.#text ??= decoder.decode(this.data);
    return this.#text;
  }

  json<T = unknown>(): T {
    return JSON.parse(this.text()) as T;
  }
}
