import type { ApiError } from "nats";
import { ErrorCode, NatsError } from "nats";

import { StreamRefusedError } from "../errors.js";

/** What an error from nats.js or JetStream means for the call that got it. */
export type NatsErrorKind =
  /** No stream answered (JetStream error 10059, or no responders): a missing topic, or a cluster without a stream leader yet. */
  | "no-stream"
  /** Given as final by the server, or by nats.js checking the request before sending it: asking again gets the same answer. */
  | "final"
  /** No answer in time. */
  | "timeout"
  /** A lost or closing connection, a server error: asking again may succeed. */
  | "transient";

/** JetStream's error codes for "stream not found" and "consumer not found". */
const STREAM_NOT_FOUND = 10059;
const CONSUMER_NOT_FOUND = 10014;

/** nats.js error codes that no retry can change: the server or client refuses the request itself. */
const FINAL_CODES: ReadonlySet<string> = new Set<string>([
  ErrorCode.PermissionsViolation,
  ErrorCode.AuthorizationViolation,
  ErrorCode.BadAuthentication,
  ErrorCode.BadCreds,
  ErrorCode.AuthenticationExpired,
  ErrorCode.AccountExpired,
  ErrorCode.BadSubject,
  ErrorCode.BadHeader,
  ErrorCode.BadJson,
  ErrorCode.BadPayload,
  ErrorCode.InvalidOption,
  ErrorCode.InvalidPayload,
  ErrorCode.MaxPayloadExceeded,
]);

/** The JetStream API error an error carries (nats.js and the publisher put it on `api_error`). */
function apiErrorOf(error: unknown): ApiError | undefined {
  return (error as { api_error?: ApiError } | undefined)?.api_error;
}

/** Whether JetStream answered that the consumer does not exist. */
export function isConsumerNotFound(error: unknown): boolean {
  return apiErrorOf(error)?.err_code === CONSUMER_NOT_FOUND;
}

/**
 * The one place that decides whether the NATS backend may retry an error. A JetStream API error
 * with a 4xx status (400 bad request, 404 not found…, except 408 request timeout) is final, as is an
 * error that is not a `NatsError` at all: nats.js throws a plain `Error` when it refuses a request
 * before sending it (an invalid consumer name, for one).
 *
 * @example
 * if (classifyNatsError(error) === "final") fail(error); // never retried
 */
export function classifyNatsError(error: unknown): NatsErrorKind {
  const api = apiErrorOf(error);
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const text = typeof message === "string" ? message : "";
  if (
    api?.err_code === STREAM_NOT_FOUND ||
    code === ErrorCode.NoResponders ||
    /stream not found|no responders/i.test(text)
  )
    return "no-stream";
  if (api !== undefined && api.code >= 400 && api.code < 500 && api.code !== 408) return "final";
  if (code === ErrorCode.Timeout || /timeout/i.test(text)) return "timeout";
  if (!(error instanceof NatsError)) return "final";
  return FINAL_CODES.has(error.code) ? "final" : "transient";
}

/**
 * The typed error for a final NATS answer, quoting the server's reason.
 *
 * @example
 * throw refused(error, "river_pipeline"); // WEIR_REFUSED, retryable: false
 */
export function refused(error: unknown, topic: string): StreamRefusedError {
  const api = apiErrorOf(error);
  const reason =
    api === undefined
      ? error instanceof Error
        ? error.message
        : String(error)
      : `${api.description} (JetStream error ${api.err_code}, status ${api.code})`;
  return new StreamRefusedError(
    `NATS refused a request for topic "${topic}": ${reason}. Asking again would get the same answer, so ` +
      "it is not retried: check the topic's and group's settings and the NATS server's configuration.",
    { cause: error },
  );
}
