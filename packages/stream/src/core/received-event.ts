import type { StreamEvent } from "../types.js";
import { SettledOnce } from "./settled-once.js";
import type { EventSettler } from "./settled-once.js";

const decoder = new TextDecoder();

/** How a backend settles a delivered event. */
export type Settler = EventSettler<ReceivedEvent>;

/** The fields a backend fills in for a delivered event. */
export interface ReceivedFields {
  readonly id: string;
  readonly topic: string;
  readonly offset: number;
  /** The payload, or `undefined` when `text` carries it (decoded to bytes only if asked for). */
  readonly data: Uint8Array | undefined;
  readonly text?: string | undefined;
  readonly mimetype: string;
  readonly typeName: string | undefined;
  readonly typeVersion: number | undefined;
  readonly metadata: Readonly<Record<string, string>>;
  readonly createdAt: Date;
  readonly deliveryCount: number;
  /**
   * The payload as the bytes `start`–`end` of the frame it arrived in, instead of `data`/`text`:
   * copied or decoded only when the application asks for it.
   */
  readonly frame?: Buffer | undefined;
  readonly start?: number;
  readonly end?: number;
}

/** A delivered event; `ack`/`nack` settle it once (later calls are no-ops). */
export class ReceivedEvent extends SettledOnce<ReceivedEvent> implements StreamEvent {
  readonly id: string;
  readonly topic: string;
  readonly topicId: string;
  readonly offset: number;
  readonly mimetype: string;
  readonly typeName: string | undefined;
  readonly typeVersion: number | undefined;
  readonly metadata: Readonly<Record<string, string>>;
  readonly createdAt: Date;
  readonly deliveryCount: number;
  #data: Uint8Array | undefined;
  #text: string | undefined;
  readonly #frame: Buffer | undefined;
  readonly #start: number;
  readonly #end: number;
  /** Backend-specific handle (e.g. a JetStream message). */
  readonly handle: unknown;

  /** `topicId`: the incarnation of the topic the subscription reads (the same for all its events). */
  constructor(fields: ReceivedFields, topicId: string, settler: Settler, handle?: unknown) {
    super(settler);
    this.id = fields.id;
    this.topic = fields.topic;
    this.topicId = topicId;
    this.offset = fields.offset;
    this.#data = fields.data;
    this.#text = fields.text;
    this.#frame = fields.frame;
    this.#start = fields.start ?? 0;
    this.#end = fields.end ?? 0;
    this.mimetype = fields.mimetype;
    this.typeName = fields.typeName;
    this.typeVersion = fields.typeVersion;
    this.metadata = fields.metadata;
    this.createdAt = fields.createdAt;
    this.deliveryCount = fields.deliveryCount;
    this.handle = handle;
  }

  json<T = unknown>(): T {
    return JSON.parse(this.text()) as T;
  }

  get data(): Uint8Array {
    this.#data ??=
      this.#frame === undefined
        ? Buffer.from(this.#text ?? "", "utf8")
        : Buffer.from(this.#frame.subarray(this.#start, this.#end));
    return this.#data;
  }

  text(): string {
    this.#text ??=
      this.#frame === undefined
        ? decoder.decode(this.#data)
        : this.#frame.toString("utf8", this.#start, this.#end);
    return this.#text;
  }
}
