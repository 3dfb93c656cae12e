import {
  eventTooLargeMessage,
  invalidNameMessage,
  malformedEventMessage,
  nameRuleBroken,
  topicExistsMessage,
  topicNotFoundMessage,
} from "@weir/protocol/stream";
import type { EventLogErrorCode } from "@weir/protocol/stream";

export type { EventLogErrorCode } from "@weir/protocol/stream";

/** The HTTP status of each code over REST. */
const STATUS: Record<EventLogErrorCode, number> = {
  WEIR_TOPIC_NOT_FOUND: 404,
  WEIR_TOPIC_EXISTS: 409,
  WEIR_INVALID_TOPIC_NAME: 400,
  WEIR_EVENT_TOO_LARGE: 413,
  WEIR_MALFORMED_EVENT: 400,
  WEIR_VALIDATION: 400,
  WEIR_UNAUTHORIZED: 401,
  WEIR_UNAVAILABLE: 503,
  WEIR_STORAGE_VERSION: 500,
};

/**
 * An error of the embedded event log, with a code and message of `@weir/protocol/stream` (the ones
 * `@weir/stream` raises for the same refusal); sent as an `err` frame on the stream and as
 * `{ error: { code, message } }` with `status` over REST.
 * @example throw EventLogError.topicNotFound("nope", ["river_pipeline"]);
 */
export class EventLogError extends Error {
  override readonly name = "EventLogError";
  readonly status: number;
  /** The topics that exist, for `WEIR_TOPIC_NOT_FOUND`. */
  readonly known: string[] | undefined;

  constructor(
    readonly code: EventLogErrorCode,
    message: string,
    options?: { readonly known?: string[]; readonly cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.status = STATUS[code];
    this.known = options?.known;
  }

  static topicNotFound(topic: string, known: string[]): EventLogError {
    return new EventLogError("WEIR_TOPIC_NOT_FOUND", topicNotFoundMessage(topic, known), { known });
  }

  static topicExists(topic: string): EventLogError {
    return new EventLogError("WEIR_TOPIC_EXISTS", topicExistsMessage(topic));
  }

  /** `detail`: the broken rule, from the event rules of `@weir/protocol/stream`. */
  static malformedEvent(detail: string): EventLogError {
    return new EventLogError("WEIR_MALFORMED_EVENT", malformedEventMessage(detail));
  }

  static eventTooLarge(topic: string, size: number, max: number): EventLogError {
    return new EventLogError("WEIR_EVENT_TOO_LARGE", eventTooLargeMessage(topic, size, max));
  }

  /** The log could not take or keep a publish (closing, a failed commit or sync); publishing again may succeed. */
  static unavailable(message: string, cause?: unknown): EventLogError {
    return new EventLogError("WEIR_UNAVAILABLE", message, { cause });
  }
}

/** Throws unless `name` is a valid topic or group name (the rule of `@weir/protocol/stream`). */
export function assertName(kind: "topic" | "group", name: unknown): asserts name is string {
  const allowed = nameRuleBroken(kind, name);
  if (allowed !== undefined)
    throw new EventLogError("WEIR_INVALID_TOPIC_NAME", invalidNameMessage(kind, name, allowed));
}
