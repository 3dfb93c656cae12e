import { randomUUID } from "node:crypto";

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

const MIMETYPE = /^[\w.+-]+\/[\w.+-]+(?:\s*;.*)?$/;
/** The last mimetype that passed the check (a publisher's events nearly always share one). */
let lastMimetype = "";

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
 * Validates and encodes one event. Throws {@link MalformedEventError} or {@link EventTooLargeError}
 * with a message naming the field at fault.
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
  if (input.mimetype !== undefined && mimetype !== lastMimetype) {
    if (typeof mimetype !== "string" || !MIMETYPE.test(mimetype))
      throw new MalformedEventError(`mimetype "${String(mimetype)}" is not of the form type/subtype.`);
    lastMimetype = mimetype;
  }
  if (input.typeName !== undefined && (typeof input.typeName !== "string" || input.typeName.length === 0))
    throw new MalformedEventError("typeName must be a non-empty string.");
  if (
    input.typeVersion !== undefined &&
    (typeof input.typeVersion !== "number" || !Number.isInteger(input.typeVersion) || input.typeVersion < 0)
  )
    throw new MalformedEventError(
      `typeVersion must be a non-negative integer, got ${String(input.typeVersion)}.`,
    );
  let metaSize = 0;
  if (input.metadata !== undefined) {
    if (input.metadata === null || typeof input.metadata !== "object" || Array.isArray(input.metadata))
      throw new MalformedEventError("metadata must be an object of string values.");
    for (const [key, value] of Object.entries(input.metadata)) {
      if (typeof value !== "string" || key.length === 0)
        throw new MalformedEventError(`metadata["${key}"] must be a string, got ${typeof value}.`);
      metaSize += key.length + value.length;
    }
  }
  const key = input.idempotencyKey ?? idempotencyKey;
  if (key !== undefined && (typeof key !== "string" || key.length === 0 || key.length > 256))
    throw new MalformedEventError("idempotencyKey must be a string of 1–256 characters.");
  const id = input.id ?? randomUUID();
  if (typeof id !== "string" || id.length === 0 || id.length > 128)
    throw new MalformedEventError("id must be a string of 1–128 characters.");
  const size = payload.byteLength + mimetype.length + (input.typeName?.length ?? 0) + metaSize;
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
