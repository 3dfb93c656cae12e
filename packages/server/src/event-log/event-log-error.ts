import { invalidNameMessage, nameRuleBroken } from "@weir/protocol/stream";

/** Stable codes of the event log, shared with `@weir/stream`'s typed errors. */
export type EventLogErrorCode =
  | "WEIR_TOPIC_NOT_FOUND"
  | "WEIR_TOPIC_EXISTS"
  | "WEIR_INVALID_TOPIC_NAME"
  | "WEIR_EVENT_TOO_LARGE"
  | "WEIR_MALFORMED_EVENT"
  | "WEIR_VALIDATION"
  | "WEIR_UNAUTHORIZED"
  /** events.db was written by a newer Weir (its schema version is unknown here). */
  | "WEIR_STORAGE_VERSION";

const STATUS: Record<EventLogErrorCode, number> = {
  WEIR_TOPIC_NOT_FOUND: 404,
  WEIR_TOPIC_EXISTS: 409,
  WEIR_INVALID_TOPIC_NAME: 400,
  WEIR_EVENT_TOO_LARGE: 413,
  WEIR_MALFORMED_EVENT: 400,
  WEIR_VALIDATION: 400,
  WEIR_UNAUTHORIZED: 401,
  WEIR_STORAGE_VERSION: 500,
};

/**
 * An error of the embedded event log; sent as an `err` frame on the stream and as
 * `{ error: { code, message } }` with `status` over REST.
 * @example throw EventLogError.topicNotFound("nope", ["river_pipeline"]);
 */
export class EventLogError extends Error {
  override readonly name = "EventLogError";
  readonly status: number;

  constructor(
    readonly code: EventLogErrorCode,
    message: string,
    readonly known?: string[],
  ) {
    super(message);
    this.status = STATUS[code];
  }

  static topicNotFound(topic: string, known: string[]): EventLogError {
    const list = known.length > 0 ? [...known].sort().join(", ") : "none";
    return new EventLogError(
      "WEIR_TOPIC_NOT_FOUND",
      `Topic "${topic}" does not exist (known: ${list}). Create it with \`weir topics create ${topic}\`, ` +
        "POST /api/topics, or stream.ensureTopic().",
      known,
    );
  }
}

/** Throws unless `name` is a valid topic or group name (the rule of `@weir/protocol/stream`). */
export function assertName(kind: "topic" | "group", name: unknown): asserts name is string {
  const allowed = nameRuleBroken(kind, name);
  if (allowed !== undefined)
    throw new EventLogError("WEIR_INVALID_TOPIC_NAME", invalidNameMessage(kind, name, allowed));
}
