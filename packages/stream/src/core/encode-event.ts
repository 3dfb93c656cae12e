import { randomUUID } from "node:crypto";

import { eventFieldsRuleBroken, eventSize, metadataRuleBroken } from "@weir/protocol/stream";

import { EventTooLargeError, MalformedEventError } from "../errors.js";
import type { EventInput } from "../types.js";

/** An event ready for any backend: bytes plus validated headers. */
export interface EncodedEvent {
  readonly id: string;
  readonly data: Uint8Array;
  /** The UTF-8 text `data` was made from (strings and JSON), so that text transports can skip base64. */
  readonly text: string | undefined;
  readonly mimetype: string;
  readonly typeName: string | undefined;
  readonly typeVersion: number | undefined;
  readonly metadata: Readonly<Record<string, string>> | undefined;
  readonly idempotencyKey: string | undefined;
  /** Bytes counted against the size limit: payload plus headers. */
  readonly size: number;
}

interface Payload {
  bytes: Uint8Array | undefined;
  byteLength: number;
  mimetype: string;
  text: string | undefined;
}

function encodeData(data: unknown): Payload {
  if (data instanceof Uint8Array)
    return {
      bytes: data,
      byteLength: data.byteLength,
      mimetype: "application/octet-stream",
      text: undefined,
    };
  if (typeof data === "string")
    return {
      bytes: undefined,
      byteLength: Buffer.byteLength(data, "utf8"),
      mimetype: "text/plain",
      text: data,
    };
  if (data === undefined || typeof data === "function" || typeof data === "symbol")
    throw new MalformedEventError(`data must be bytes, a string or a JSON value, got ${typeof data}.`);
  let json: string | undefined;
  try {
    json = JSON.stringify(data);
  } catch (cause) {
    throw new MalformedEventError(`data cannot be serialised as JSON (${(cause as Error).message}).`, {
      cause,
    });
  }
  if (json === undefined) throw new MalformedEventError("data cannot be serialised as JSON.");
  return {
    bytes: undefined,
    byteLength: Buffer.byteLength(json, "utf8"),
    mimetype: "application/json",
    text: json,
  };
}

/**
 * Validates and encodes one event by the event rules of `@weir/protocol/stream` (the ones the Weir
 * server checks again). Throws {@link MalformedEventError} or {@link EventTooLargeError} with a
 * message naming the field at fault.
 */
export function encodeEvent(
  topic: string,
  input: EventInput,
  idempotencyKey: string | undefined,
  maxEventBytes: number,
): EncodedEvent {
  if (input === null || typeof input !== "object" || Array.isArray(input) || !("data" in input))
    throw new MalformedEventError('an event is an object with a "data" field, e.g. { data: { text: "…" } }.');
  const payload = encodeData(input.data);
  const mimetype = input.mimetype ?? payload.mimetype;
  const key = input.idempotencyKey ?? idempotencyKey;
  const id = input.id ?? randomUUID();
  const broken =
    eventFieldsRuleBroken(id, mimetype, input.typeName, input.typeVersion, key) ??
    (input.metadata === undefined ? undefined : metadataRuleBroken(input.metadata));
  if (broken !== undefined) throw new MalformedEventError(broken);
  const size = eventSize(payload.byteLength, mimetype, input.typeName, input.metadata);
  if (size > maxEventBytes) throw new EventTooLargeError(topic, size, maxEventBytes);
  return new Encoded(
    id,
    payload.bytes,
    payload.text,
    mimetype,
    input.typeName,
    input.typeVersion,
    input.metadata,
    key,
    size,
  );
}

/** One class for every encoded event (publishing is a hot path: no per-event accessor objects). */
class Encoded implements EncodedEvent {
  constructor(
    readonly id: string,
    private bytes: Uint8Array | undefined,
    readonly text: string | undefined,
    readonly mimetype: string,
    readonly typeName: string | undefined,
    readonly typeVersion: number | undefined,
    readonly metadata: Readonly<Record<string, string>> | undefined,
    readonly idempotencyKey: string | undefined,
    readonly size: number,
  ) {}

  /** Bytes are made from the text only when a backend asks (the embedded one sends the text). */
  get data(): Uint8Array {
    this.bytes ??= Buffer.from(this.text ?? "", "utf8");
    return this.bytes;
  }
}
