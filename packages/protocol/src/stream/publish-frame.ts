/**
 * Publishes (client → server) travel as binary WebSocket messages, like deliveries: a header with
 * the request id and the topic, then one record per event with its payload as raw bytes. The client
 * writes each event once, as it is published; the server reads the fields without parsing JSON and
 * stores a text payload straight from its UTF-8 bytes.
 *
 * Layout (little-endian):
 *
 *   header   u8 kind (2 = publish) · u8 0 · u16 topic length · u32 request id · u32 record count
 *            · topic (UTF-8)
 *   record   u8 flags · u32 id length · id (UTF-8)
 *            · [u32 length · mimetype]         unless flags & SAME_MIMETYPE (the previous record's)
 *            · [u32 length · typeName]         if flags & TYPE_NAME
 *            · [f64 typeVersion]               if flags & TYPE_VERSION
 *            · [u32 length · metadata JSON]    if flags & METADATA
 *            · [u32 length · idempotency key]  if flags & KEY
 *            · u32 payload length · payload    UTF-8 text if flags & TEXT, else bytes
 *
 * The writer encodes what it is given; the server validates every field (a client is not trusted).
 */

import {
  fieldEnd,
  METADATA,
  SAME_MIMETYPE,
  TYPE_NAME,
  TYPE_VERSION,
  grown,
  maxUtf8Bytes,
  writeBytes,
  writeHeaders,
  writeText,
} from "./frame-fields.js";

/** First byte of a publish frame. */
export const PUBLISH_FRAME = 2;

const HEADER_BYTES = 12;
const KEY = 16;
const TEXT = 32;
/** Fixed bytes of a record: flags, typeVersion and the length words of every field. */
const RECORD_FIXED = 1 + 8 + 4 * 6;

/** An event as the client publishes it. */
export interface PublishableEvent {
  readonly id: string;
  /** The payload as text (JSON and strings), sent as UTF-8. */
  readonly text: string | undefined;
  /** The payload as bytes; read only when `text` is undefined. */
  readonly data: Uint8Array;
  readonly mimetype: string;
  readonly typeName: string | undefined;
  readonly typeVersion: number | undefined;
  readonly metadata: Readonly<Record<string, string>> | undefined;
  readonly idempotencyKey: string | undefined;
}

const maxBytes = maxUtf8Bytes;
const EMPTY = Buffer.alloc(0);

/**
 * Builds the publish frame of one topic's batch: `add` appends an event, `finish` writes the
 * request id and the count and returns the frame (no copy; a writer builds one frame).
 *
 * @example
 * const writer = new PublishFrameWriter("river_pipeline");
 * writer.add(event);
 * socket.send(writer.finish(requestId));
 */
export class PublishFrameWriter {
  #buffer: Buffer = EMPTY;
  #position: number;
  #count = 0;
  #mimetype: string | undefined;
  readonly #topic: Buffer;

  constructor(readonly topic: string) {
    this.#topic = Buffer.from(topic, "utf8");
    if (this.#topic.length > 0xffff) throw new RangeError("topic name too long for a publish frame");
    this.#position = HEADER_BYTES + this.#topic.length;
  }

  /** Events added so far. */
  get count(): number {
    return this.#count;
  }

  /** Bytes written so far. */
  get byteLength(): number {
    return this.#position;
  }

  add(event: PublishableEvent): void {
    const { id, text, mimetype, typeName, typeVersion, idempotencyKey } = event;
    const bytes = text === undefined ? event.data : undefined;
    const metadata = event.metadata === undefined ? undefined : JSON.stringify(event.metadata);
    const sameMimetype = mimetype === this.#mimetype;
    let flags = sameMimetype ? SAME_MIMETYPE : 0;
    let worst = RECORD_FIXED + maxBytes(id);
    if (text !== undefined) {
      flags |= TEXT;
      worst += maxBytes(text);
    } else worst += bytes?.byteLength ?? 0;
    if (!sameMimetype) worst += maxBytes(mimetype);
    if (typeName !== undefined) {
      flags |= TYPE_NAME;
      worst += maxBytes(typeName);
    }
    if (typeVersion !== undefined) flags |= TYPE_VERSION;
    if (metadata !== undefined) {
      flags |= METADATA;
      worst += maxBytes(metadata);
    }
    if (idempotencyKey !== undefined) {
      flags |= KEY;
      worst += maxBytes(idempotencyKey);
    }
    if (this.#position + worst > this.#buffer.length)
      this.#buffer = grown(this.#buffer, this.#position, this.#position + worst);
    const buffer = this.#buffer;
    buffer[this.#position] = flags;
    let at = writeHeaders(
      buffer,
      this.#position + 1,
      id,
      sameMimetype ? undefined : mimetype,
      typeName,
      typeVersion,
      metadata,
    );
    this.#mimetype = mimetype;
    if (idempotencyKey !== undefined) at = writeText(buffer, idempotencyKey, at);
    at = text !== undefined ? writeText(buffer, text, at) : writeBytes(buffer, bytes ?? EMPTY, at);
    this.#position = at;
    this.#count++;
  }

  /** The finished frame: header and topic written in front of the records. */
  finish(requestId: number): Buffer {
    if (this.#buffer.length < this.#position) this.#buffer = grown(this.#buffer, 0, this.#position);
    const buffer = this.#buffer;
    buffer[0] = PUBLISH_FRAME;
    buffer[1] = 0;
    buffer.writeUInt16LE(this.#topic.length, 2);
    buffer.writeUInt32LE(requestId, 4);
    buffer.writeUInt32LE(this.#count, 8);
    this.#topic.copy(buffer, HEADER_BYTES);
    return buffer.subarray(0, this.#position);
  }
}

/** A frame that does not follow the layout above. */
export class MalformedPublishFrame extends Error {
  override readonly name = "MalformedPublishFrame";
}

/**
 * Reads a publish frame one record at a time: call `next()` until it returns false, reading the
 * fields in between. The payload is left in the frame as the byte range `payloadStart`–`payloadEnd`;
 * `text` says whether it is UTF-8 text.
 *
 * @example
 * const reader = new PublishFrameReader(frame);
 * while (reader.next()) store(reader.id, frame.toString("utf8", reader.payloadStart, reader.payloadEnd));
 */
export class PublishFrameReader {
  readonly requestId: number;
  readonly topic: string;
  readonly count: number;
  id = "";
  mimetype = "";
  typeName: string | undefined;
  typeVersion: number | undefined;
  /** Metadata as JSON text (not parsed). */
  metadata: string | undefined;
  idempotencyKey: string | undefined;
  text = false;
  payloadStart = 0;
  payloadEnd = 0;
  #position: number;
  #read = 0;

  /** Throws {@link MalformedPublishFrame} when the header is not a publish frame's. */
  constructor(readonly frame: Buffer) {
    if (frame.length < HEADER_BYTES || frame[0] !== PUBLISH_FRAME)
      throw new MalformedPublishFrame("not a publish frame");
    const topicEnd = HEADER_BYTES + frame.readUInt16LE(2);
    if (topicEnd > frame.length) throw new MalformedPublishFrame("truncated header");
    this.requestId = frame.readUInt32LE(4);
    this.count = frame.readUInt32LE(8);
    this.topic = frame.toString("utf8", HEADER_BYTES, topicEnd);
    this.#position = topicEnd;
  }

  /** Moves to the next record; false after the last. Throws {@link MalformedPublishFrame} on a truncated record. */
  next(): boolean {
    const frame = this.frame;
    if (this.#read === this.count) {
      if (this.#position !== frame.length) throw new MalformedPublishFrame("bytes after the last record");
      return false;
    }
    if (this.#position + 1 > frame.length) throw new MalformedPublishFrame("truncated record");
    const flags = frame[this.#position] as number;
    this.#position += 1;
    this.id = this.#string();
    if ((flags & SAME_MIMETYPE) === 0) this.mimetype = this.#string();
    else if (this.#read === 0) throw new MalformedPublishFrame("first record without a mimetype");
    this.typeName = (flags & TYPE_NAME) === 0 ? undefined : this.#string();
    this.typeVersion = undefined;
    if ((flags & TYPE_VERSION) !== 0) {
      if (this.#position + 8 > frame.length) throw new MalformedPublishFrame("truncated record");
      this.typeVersion = frame.readDoubleLE(this.#position);
      this.#position += 8;
    }
    this.metadata = (flags & METADATA) === 0 ? undefined : this.#string();
    this.idempotencyKey = (flags & KEY) === 0 ? undefined : this.#string();
    this.text = (flags & TEXT) !== 0;
    this.payloadStart = this.#skip();
    this.payloadEnd = this.#position;
    this.#read++;
    return true;
  }

  /** Steps over a length-prefixed field and returns where its bytes start. */
  #skip(): number {
    const end = fieldEnd(this.frame, this.#position);
    if (end < 0) throw new MalformedPublishFrame("truncated record");
    const start = this.#position + 4;
    this.#position = end;
    return start;
  }

  #string(): string {
    const start = this.#skip();
    return this.frame.toString("utf8", start, this.#position);
  }
}
