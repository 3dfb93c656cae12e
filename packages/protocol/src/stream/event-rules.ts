/**
 * What an event may hold and how big it may be: the one rule of every `@weir/stream` backend (checked
 * before an event leaves the client) and of the Weir server's event log (which checks every event
 * again: a client is not trusted). A broken rule is a sentence naming the field, for a
 * `WEIR_MALFORMED_EVENT` message (`malformedEventMessage`).
 */

/** 1 MiB: the largest event ({@link eventSize}) a backend or the Weir server accepts unless told otherwise. */
export const DEFAULT_MAX_EVENT_BYTES = 1024 * 1024;

/** The longest event id (a UUID when the publisher gives none). */
export const MAX_EVENT_ID_LENGTH = 128;

/**
 * The longest idempotency key. A publish of an array with `{ idempotencyKey: k }` gives event `i`
 * the key `k:i` ({@link batchIdempotencyKey}).
 */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 256;

/**
 * How long a backend that forgets idempotency keys remembers one (memory, NATS JetStream's
 * `duplicate_window`), unless the topic says otherwise; the embedded log keeps a key as long as its
 * event.
 */
export const DEFAULT_DEDUPE_WINDOW_MS = 120_000;

/** `type/subtype`, optionally followed by parameters (`; charset=utf-8`). */
const MIMETYPE = /^[\w.+-]+\/[\w.+-]+(?:\s*;.*)?$/;

/** The last mimetype that passed (a publisher's events nearly always share one): a hot path. */
let lastValidMimetype = "";

/** The key of event `index` of an array published with the key `key`. */
export function batchIdempotencyKey(key: string, index: number): string {
  return `${key}:${index}`;
}

/**
 * Why an event's header fields break the rules (a sentence naming the first field at fault), or
 * `undefined` when they keep them. An `undefined` optional field is fine.
 *
 * @example eventFieldsRuleBroken("", "application/json", undefined, undefined, undefined);
 * // "id must be a string of 1–128 characters."
 */
export function eventFieldsRuleBroken(
  id: unknown,
  mimetype: unknown,
  typeName: unknown,
  typeVersion: unknown,
  idempotencyKey: unknown,
): string | undefined {
  if (typeof id !== "string" || id.length === 0 || id.length > MAX_EVENT_ID_LENGTH)
    return `id must be a string of 1–${MAX_EVENT_ID_LENGTH} characters.`;
  if (mimetype !== lastValidMimetype) {
    if (typeof mimetype !== "string" || !MIMETYPE.test(mimetype))
      return `mimetype "${String(mimetype)}" is not of the form type/subtype.`;
    lastValidMimetype = mimetype;
  }
  if (typeName !== undefined && (typeof typeName !== "string" || typeName.length === 0))
    return "typeName must be a non-empty string.";
  if (typeVersion !== undefined && !(Number.isInteger(typeVersion) && (typeVersion as number) >= 0)) {
    const got = typeof typeVersion === "number" ? typeVersion : typeof typeVersion;
    return `typeVersion must be a non-negative integer, got ${got}.`;
  }
  if (
    idempotencyKey !== undefined &&
    (typeof idempotencyKey !== "string" ||
      idempotencyKey.length === 0 ||
      idempotencyKey.length > MAX_IDEMPOTENCY_KEY_LENGTH)
  )
    return `idempotencyKey must be a string of 1–${MAX_IDEMPOTENCY_KEY_LENGTH} characters.`;
  return undefined;
}

/**
 * Why `metadata` is not an object of non-empty keys and string values, or `undefined` when it is.
 * @example metadataRuleBroken({ k: 1 }); // 'metadata["k"] must be a string, got number.'
 */
export function metadataRuleBroken(metadata: unknown): string | undefined {
  if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata))
    return "metadata must be an object of string values.";
  for (const [key, value] of Object.entries(metadata)) {
    if (key.length === 0) return "metadata keys must be non-empty strings.";
    if (typeof value !== "string") return `metadata["${key}"] must be a string, got ${typeof value}.`;
  }
  return undefined;
}

/**
 * The bytes an event counts against the size limit: its payload's bytes, plus the characters of its
 * mimetype, type name and metadata keys and values.
 *
 * @example eventSize(Buffer.byteLength(json), "application/json", "yelp.review", undefined);
 */
export function eventSize(
  payloadBytes: number,
  mimetype: string,
  typeName: string | undefined,
  metadata: Readonly<Record<string, string>> | undefined,
): number {
  let size = payloadBytes + mimetype.length + (typeName?.length ?? 0);
  if (metadata !== undefined)
    for (const [key, value] of Object.entries(metadata)) size += key.length + value.length;
  return size;
}
