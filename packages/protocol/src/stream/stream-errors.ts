/**
 * The errors of the stream: their stable codes and the messages of the refusals that the Weir
 * server's event log and every `@weir/stream` backend both make, so that a user reads the same code
 * and the same words whichever side refused. The server sends a code and its message in `err` and
 * `suberr` frames and in REST error bodies; the client raises it as a typed `StreamError`.
 */

/** Refusals both sides make: the server answers them, and every backend raises them as typed errors. */
const SHARED_CODES = [
  "WEIR_TOPIC_NOT_FOUND",
  "WEIR_TOPIC_EXISTS",
  "WEIR_INVALID_TOPIC_NAME",
  "WEIR_EVENT_TOO_LARGE",
  "WEIR_MALFORMED_EVENT",
  "WEIR_UNAUTHORIZED",
  /** The server could not commit or sync a publish (closing, disk error); publishing again may succeed. */
  "WEIR_UNAVAILABLE",
] as const;

/** Codes only a stream client raises: about its connection, its calls and its subscriptions. */
const CLIENT_CODES = [
  "WEIR_TOPIC_CHANGED",
  "WEIR_TIMEOUT",
  "WEIR_CONNECTION",
  "WEIR_REFUSED",
  "WEIR_CLOSED",
  "WEIR_PROTOCOL",
  "WEIR_BAD_URL",
  "WEIR_BACKEND_NOT_INSTALLED",
] as const;

/** Codes only the server's event log answers with: a bad REST query, an `events.db` of a newer Weir. */
const SERVER_CODES = ["WEIR_VALIDATION", "WEIR_STORAGE_VERSION"] as const;

/** Every code a `StreamError` of `@weir/stream` carries. */
export const STREAM_ERROR_CODES = [...SHARED_CODES, ...CLIENT_CODES] as const;

/** A stable code of a `StreamError`. */
export type StreamErrorCode = (typeof STREAM_ERROR_CODES)[number];

/** Every code the Weir server's event log answers with (`err`/`suberr` frames, REST error bodies). */
export const EVENT_LOG_ERROR_CODES = [...SHARED_CODES, ...SERVER_CODES] as const;

/** A stable code of the Weir server's event log. */
export type EventLogErrorCode = (typeof EVENT_LOG_ERROR_CODES)[number];

/**
 * `WEIR_TOPIC_NOT_FOUND`: names the topics that exist and how to create the missing one.
 * @example topicNotFoundMessage("river_pipelin", ["river_pipeline"]);
 */
export function topicNotFoundMessage(topic: string, known: readonly string[]): string {
  const list = known.length > 0 ? [...known].sort().join(", ") : "none";
  return (
    `Topic "${topic}" does not exist (known: ${list}). Create it with \`weir topics create ${topic}\`, ` +
    "stream.createTopic() / stream.ensureTopic(), or POST /api/topics."
  );
}

/** `WEIR_TOPIC_EXISTS`, the answer to creating a topic that exists. */
export function topicExistsMessage(topic: string): string {
  return `Topic "${topic}" already exists. Use ensureTopic() to create it only when missing.`;
}

/** `WEIR_EVENT_TOO_LARGE`: `size` counted as `eventSize` counts it, against `max` bytes. */
export function eventTooLargeMessage(topic: string, size: number, max: number): string {
  return (
    `Event for topic "${topic}" is ${size} bytes, over the limit of ${max} bytes. ` +
    "Store large payloads elsewhere (an artifact or object store) and publish a reference."
  );
}

/** The prefix of every `WEIR_MALFORMED_EVENT` message. */
export const MALFORMED_EVENT_PREFIX = "Malformed event: ";

/**
 * `WEIR_MALFORMED_EVENT`, with the broken rule of `event-rules.ts`.
 * @example malformedEventMessage(eventFieldsRuleBroken(…)); // "Malformed event: id must be …"
 */
export function malformedEventMessage(detail: string): string {
  return MALFORMED_EVENT_PREFIX + detail;
}
