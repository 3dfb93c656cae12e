import {
  eventTooLargeMessage,
  invalidNameMessage,
  malformedEventMessage,
  topicExistsMessage,
  topicNotFoundMessage,
} from "@weir/protocol/stream";
import type { StreamErrorCode } from "@weir/protocol/stream";

/**
 * Stable codes carried by every {@link StreamError}: the list of `@weir/protocol/stream`, whose
 * refusals the Weir server's event log answers with the same codes and messages.
 */
export type { StreamErrorCode };

/**
 * Base class of every error thrown by `@weir/stream`. `code` is stable, `retryable` says whether
 * the same call may succeed if repeated (for example after the server restarts).
 *
 * @example
 * try { await stream.publish("nope", { data: 1 }); }
 * catch (error) { if (error instanceof StreamError && error.code === "WEIR_TOPIC_NOT_FOUND") … }
 */
export class StreamError extends Error {
  override readonly name: string = "StreamError";
  readonly code: StreamErrorCode;
  readonly retryable: boolean;

  constructor(code: StreamErrorCode, message: string, options?: { cause?: unknown; retryable?: boolean }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options?.retryable ?? false;
  }
}

/** The topic does not exist; the message lists the known topics. */
export class TopicNotFoundError extends StreamError {
  override readonly name = "TopicNotFoundError";
  constructor(topic: string, known: readonly string[], options?: { cause?: unknown }) {
    super("WEIR_TOPIC_NOT_FOUND", topicNotFoundMessage(topic, known), options);
  }
}

/** `createTopic` was called for a topic that already exists (use `ensureTopic` to accept that). */
export class TopicExistsError extends StreamError {
  override readonly name = "TopicExistsError";
  constructor(topic: string, options?: { cause?: unknown }) {
    super("WEIR_TOPIC_EXISTS", topicExistsMessage(topic), options);
  }
}

/**
 * A subscription re-attached (after a reconnect or a server restart) to another incarnation of its
 * topic than the one it read: the topic was deleted and created again meanwhile, or the server now
 * keeps its events elsewhere. Its offsets started over, so the subscription ends instead of mixing
 * the two.
 */
export class TopicChangedError extends StreamError {
  override readonly name = "TopicChangedError";
  constructor(topic: string, was: string, now: string, options?: { cause?: unknown }) {
    super(
      "WEIR_TOPIC_CHANGED",
      `Topic "${topic}" was deleted and created again while this subscription read it ` +
        `(topicId ${was}, now ${now}); its offsets start over. Subscribe again, and discard any offset ` +
        "or checkpoint kept for the old topic.",
      options,
    );
  }
}

/**
 * A topic or group name that the backends cannot store. `allowed` says what the name may hold (the
 * rule lives in `@weir/protocol/stream`); a long name is quoted only up to its first 100 characters.
 */
export class InvalidTopicNameError extends StreamError {
  override readonly name = "InvalidTopicNameError";
  constructor(kind: "topic" | "group", name: string, allowed = "see the naming rules of @weir/stream") {
    super("WEIR_INVALID_TOPIC_NAME", invalidNameMessage(kind, name, allowed));
  }
}

/** The encoded event is larger than the backend accepts. */
export class EventTooLargeError extends StreamError {
  override readonly name = "EventTooLargeError";
  constructor(topic: string, size: number, max: number) {
    super("WEIR_EVENT_TOO_LARGE", eventTooLargeMessage(topic, size, max));
  }
}

/** The event could not be encoded or breaks the event rules. */
export class MalformedEventError extends StreamError {
  override readonly name = "MalformedEventError";
  constructor(detail: string, options?: { cause?: unknown }) {
    super("WEIR_MALFORMED_EVENT", malformedEventMessage(detail), options);
  }
}

/** The server refused the API key (or none was given while the server requires one). */
export class UnauthorizedError extends StreamError {
  override readonly name = "UnauthorizedError";
  constructor(detail: string, options?: { cause?: unknown }) {
    super(
      "WEIR_UNAUTHORIZED",
      `${detail} Pass { apiKey } to connect() or set WEIR_API_KEY to the server's key.`,
      options,
    );
  }
}

/** A call did not complete in time. */
export class StreamTimeoutError extends StreamError {
  override readonly name = "StreamTimeoutError";
  /** `setting`: the option that set `ms` (e.g. "the publish option timeoutMs"), named in the message. */
  constructor(what: string, ms: number, options?: { cause?: unknown; setting?: string }) {
    const limit = options?.setting === undefined ? `${ms} ms` : `${ms} ms (${options.setting})`;
    super(
      "WEIR_TIMEOUT",
      `${what} did not complete within ${limit}. Check that the server is reachable; the call may be retried (use an idempotency key so that a retried publish is stored once).`,
      { cause: options?.cause, retryable: true },
    );
  }
}

/** The connection to the backend failed or was lost; retrying may succeed. */
export class StreamConnectionError extends StreamError {
  override readonly name = "StreamConnectionError";
  constructor(message: string, options?: { cause?: unknown }) {
    super("WEIR_CONNECTION", message, { ...options, retryable: true });
  }
}

/**
 * The backend refused the request for good: NATS JetStream answered with a final error (an API
 * error with a 4xx status such as 400, a permissions violation…). Repeating the same request gets
 * the same answer, so nothing retries it; the message quotes the server's reason.
 */
export class StreamRefusedError extends StreamError {
  override readonly name = "StreamRefusedError";
  constructor(message: string, options?: { cause?: unknown }) {
    super("WEIR_REFUSED", message, { ...options, retryable: false });
  }
}

/**
 * The Weir server could not take or keep a publish — it is shutting down, or could not commit or sync
 * its file to disk (the message says which). Publishing again (with the same idempotency keys, so
 * that nothing is stored twice) may succeed.
 */
export class StreamUnavailableError extends StreamError {
  override readonly name = "StreamUnavailableError";
  constructor(message: string, options?: { cause?: unknown }) {
    super("WEIR_UNAVAILABLE", message, { ...options, retryable: true });
  }
}

/** The stream client was closed. */
export class StreamClosedError extends StreamError {
  override readonly name = "StreamClosedError";
  constructor() {
    super("WEIR_CLOSED", "The stream client is closed. Call connect() again to get a new one.");
  }
}

/** The peer sent something the protocol does not allow. */
export class StreamProtocolError extends StreamError {
  override readonly name = "StreamProtocolError";
  constructor(message: string, options?: { cause?: unknown }) {
    super("WEIR_PROTOCOL", message, options);
  }
}

/** `connect({ url })` got an address no backend understands. */
export class BadStreamUrlError extends StreamError {
  override readonly name = "BadStreamUrlError";
  constructor(url: string) {
    super(
      "WEIR_BAD_URL",
      `Cannot use stream URL "${url}". Use "memory:", "nats://host:4222", or the Weir server's http(s):// or ws(s):// address.`,
    );
  }
}

/**
 * The URL names a backend whose package is not installed: each backend but the embedded one and
 * memory lives in a package of its own (`@weir/stream-nats` for `nats://`), loaded by `connect()`.
 */
export class BackendNotInstalledError extends StreamError {
  override readonly name = "BackendNotInstalledError";
  /** The npm package to install. */
  readonly packageName: string;
  constructor(packageName: string, backend: string, url: string, options?: { cause?: unknown }) {
    super(
      "WEIR_BACKEND_NOT_INSTALLED",
      `Stream URL "${url}" needs the ${backend} backend, which is in the package ${packageName}: ` +
        `run \`npm install ${packageName}\` in your application (the same version as @weir/stream), ` +
        "or unset WEIR_STREAM_URL to use the Weir server's own event log.",
      options,
    );
    this.packageName = packageName;
  }
}
