/**
 * Deliveries (server → client) travel as binary WebSocket messages: a 12-byte header, then one
 * record per event with its payload as raw bytes. Nothing is escaped or base64-encoded on either
 * side, and the client decodes a payload only when the application asks for it.
 *
 * Layout (little-endian):
 *
 *   header   u8 kind (1 = deliveries) · u8 0 · u16 0 · u32 subscription · u32 record count
 *   record   f64 offset · f64 createdAt (ms) · u32 delivery count · u8 flags
 *            · u32 id length · id (UTF-8)
 *            · [u32 length · mimetype]        unless flags & SAME_MIMETYPE (the previous record's)
 *            · [u32 length · typeName]        if flags & TYPE_NAME
 *            · [f64 typeVersion]              if flags & TYPE_VERSION
 *            · [u32 length · metadata JSON]   if flags & METADATA
 *            · u32 payload length · payload bytes
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

/** First byte of a delivery frame. */
export const DELIVERY_FRAME = 1;

const HEADER_BYTES = 12;
/** Fixed bytes of a record: offset, createdAt, count, flags, and the length words of every field. */
const RECORD_FIXED = 8 + 8 + 4 + 1 + 4 * 5 + 8;

/** What the server needs of an event to deliver it. */
export interface DeliverableEvent {
  readonly offset: number;
  readonly id: string;
  /** UTF-8 text (JSON and text payloads) or bytes. */
  readonly data: string | Uint8Array;
  readonly mimetype: string;
  readonly typeName: string | null;
  readonly typeVersion: number | null;
  /** A JSON object of strings, as text. */
  readonly metadata: string | null;
  readonly createdAt: number;
}

const maxBytes = maxUtf8Bytes;

/** The working buffer is kept while it is at most this big. */
const SCRATCH_BYTES = 1024 * 1024;
const EMPTY = Buffer.alloc(0);

/**
 * Builds the delivery frames of one subscription: `add` appends a record, `take` returns the frame
 * built so far (an exact-size copy, so that the working buffer is reused) and starts the next one.
 * No memory is held until the first record.
 *
 * @example
 * const writer = new DeliveryFrameWriter(subscriptionId);
 * for (const event of events) writer.add(event, 1);
 * socket.send(writer.take());
 */
export class DeliveryFrameWriter {
  #buffer: Buffer = EMPTY;
  #position = HEADER_BYTES;
  #count = 0;
  #mimetype: string | undefined;

  constructor(readonly subscription: number) {}

  /** Records added so far. */
  get count(): number {
    return this.#count;
  }

  /** Bytes written so far. */
  get byteLength(): number {
    return this.#position;
  }

  add(event: DeliverableEvent, deliveryCount: number): void {
    const { id, data, mimetype, typeName, typeVersion, metadata } = event;
    const sameMimetype = mimetype === this.#mimetype;
    const textual = typeof data === "string";
    let flags = sameMimetype ? SAME_MIMETYPE : 0;
    let worst = RECORD_FIXED + maxBytes(id) + (textual ? maxBytes(data) : data.byteLength);
    if (!sameMimetype) worst += maxBytes(mimetype);
    if (typeName !== null) {
      flags |= TYPE_NAME;
      worst += maxBytes(typeName);
    }
    if (typeVersion !== null) flags |= TYPE_VERSION;
    if (metadata !== null) {
      flags |= METADATA;
      worst += maxBytes(metadata);
    }
    if (this.#position + worst > this.#buffer.length)
      this.#buffer = grown(this.#buffer, this.#position, this.#position + worst);
    const buffer = this.#buffer;
    let at = this.#position;
    buffer.writeDoubleLE(event.offset, at);
    buffer.writeDoubleLE(event.createdAt, at + 8);
    buffer.writeUInt32LE(deliveryCount, at + 16);
    buffer[at + 20] = flags;
    at = writeHeaders(
      buffer,
      at + 21,
      id,
      sameMimetype ? undefined : mimetype,
      typeName ?? undefined,
      typeVersion ?? undefined,
      metadata ?? undefined,
    );
    this.#mimetype = mimetype;
    at = textual ? writeText(buffer, data, at) : writeBytes(buffer, data, at);
    this.#position = at;
    this.#count++;
  }

  /** Returns the frame built so far and starts an empty one. */
  take(): Buffer {
    if (this.#buffer.length < HEADER_BYTES) this.#buffer = grown(this.#buffer, 0, HEADER_BYTES);
    const buffer = this.#buffer;
    buffer[0] = DELIVERY_FRAME;
    buffer[1] = 0;
    buffer.writeUInt16LE(0, 2);
    buffer.writeUInt32LE(this.subscription, 4);
    buffer.writeUInt32LE(this.#count, 8);
    const frame = Buffer.allocUnsafe(this.#position);
    buffer.copy(frame, 0, 0, this.#position);
    if (buffer.length > SCRATCH_BYTES) this.#buffer = EMPTY;
    this.#position = HEADER_BYTES;
    this.#count = 0;
    this.#mimetype = undefined;
    return frame;
  }
}

/** A frame that does not follow the layout above. */
export class MalformedDeliveryFrame extends Error {
  override readonly name = "MalformedDeliveryFrame";
}

/**
 * Reads a delivery frame one record at a time, without allocating per record beyond the strings
 * it returns: call `next()` until it returns false, reading the fields in between. The payload is
 * left in the frame as the byte range `payloadStart`–`payloadEnd`.
 *
 * @example
 * const reader = new DeliveryFrameReader(frame);
 * while (reader.next()) handle(reader.offset, reader.id, frame.toString("utf8", reader.payloadStart, reader.payloadEnd));
 */
export class DeliveryFrameReader {
  readonly subscription: number;
  readonly count: number;
  offset = 0;
  createdAt = 0;
  deliveryCount = 0;
  id = "";
  mimetype = "";
  typeName: string | undefined;
  typeVersion: number | undefined;
  metadata: string | undefined;
  payloadStart = 0;
  payloadEnd = 0;
  #position = HEADER_BYTES;
  #read = 0;

  /** Throws {@link MalformedDeliveryFrame} when the header is not a delivery frame's. */
  constructor(readonly frame: Buffer) {
    if (frame.length < HEADER_BYTES || frame[0] !== DELIVERY_FRAME)
      throw new MalformedDeliveryFrame("not a delivery frame");
    this.subscription = frame.readUInt32LE(4);
    this.count = frame.readUInt32LE(8);
  }

  /** Moves to the next record; false after the last. Throws {@link MalformedDeliveryFrame} on a truncated record. */
  next(): boolean {
    const frame = this.frame;
    if (this.#read === this.count) {
      if (this.#position !== frame.length) throw new MalformedDeliveryFrame("bytes after the last record");
      return false;
    }
    const at = this.#position;
    if (at + 21 > frame.length) throw new MalformedDeliveryFrame("truncated record");
    this.offset = frame.readDoubleLE(at);
    this.createdAt = frame.readDoubleLE(at + 8);
    this.deliveryCount = frame.readUInt32LE(at + 16);
    const flags = frame[at + 20] as number;
    this.#position = at + 21;
    this.id = this.#string();
    if ((flags & SAME_MIMETYPE) === 0) this.mimetype = this.#string();
    else if (this.#read === 0) throw new MalformedDeliveryFrame("first record without a mimetype");
    this.typeName = (flags & TYPE_NAME) === 0 ? undefined : this.#string();
    this.typeVersion = undefined;
    if ((flags & TYPE_VERSION) !== 0) {
      if (this.#position + 8 > frame.length) throw new MalformedDeliveryFrame("truncated record");
      this.typeVersion = frame.readDoubleLE(this.#position);
      this.#position += 8;
    }
    this.metadata = (flags & METADATA) === 0 ? undefined : this.#string();
    this.payloadStart = this.#skip();
    this.payloadEnd = this.#position;
    this.#read++;
    return true;
  }

  /** Steps over a length-prefixed field and returns where its bytes start. */
  #skip(): number {
    const end = fieldEnd(this.frame, this.#position);
    if (end < 0) throw new MalformedDeliveryFrame("truncated record");
    const start = this.#position + 4;
    this.#position = end;
    return start;
  }

  #string(): string {
    const start = this.#skip();
    return this.frame.toString("utf8", start, this.#position);
  }
}
