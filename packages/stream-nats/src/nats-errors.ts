import { JetStreamApiError, JetStreamError } from "@nats-io/jetstream";
import { errors } from "@nats-io/transport-node";
import { StreamRefusedError } from "@weir/stream";

/** What an error from the NATS client or JetStream means for the call that got it. */
export type NatsErrorKind =
  /** No stream answered (JetStream error 10059, or no responders): a missing topic, or a cluster without a stream leader yet. */
  | "no-stream"
  /** Given as final by the server, or by the client checking the request before sending it: asking again gets the same answer. */
  | "final"
  /** No answer in time. */
  | "timeout"
  /** A lost or closing connection, a server error: asking again may succeed. */
  | "transient";

/** JetStream's error codes for "stream not found" and "consumer not found". */
const STREAM_NOT_FOUND = 10059;
const CONSUMER_NOT_FOUND = 10014;

/**
 * The client's errors that another attempt may not meet: the connection was lost, is closing or
 * closed, or a request went unanswered for another reason than a timeout. Every other error —
 * a permissions or authorization violation, an invalid subject, name or argument (a payload over
 * `max_payload`, for one), or an error the client does not know at all — is final.
 */
const TRANSIENT: ReadonlyArray<abstract new (...args: never[]) => Error> = [
  errors.ConnectionError,
  errors.ClosedConnectionError,
  errors.DrainingConnectionError,
  errors.ProtocolError,
  errors.RequestError,
  // A JetStream answer that is not a JSON API error (a bad PubAck, an unexpected status).
  JetStreamError,
];

/** Whether JetStream answered that the consumer does not exist. */
export function isConsumerNotFound(error: unknown): boolean {
  return error instanceof JetStreamApiError && error.code === CONSUMER_NOT_FOUND;
}

/** Whether JetStream answered that the stream does not exist. */
export function isStreamNotFound(error: unknown): boolean {
  return error instanceof JetStreamApiError && error.code === STREAM_NOT_FOUND;
}

/** Whether nobody listened on the subject: in `error` itself or in its causes. */
function isNoResponders(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++)
    if (e instanceof errors.NoRespondersError) return true;
  return false;
}

/**
 * The one place that decides whether the NATS backend may retry an error. A JetStream API error
 * with a 4xx status (400 bad request, 404 not found…, except 408 request timeout) is final, as is
 * any error that the client raises before sending a request (an invalid consumer name, for one).
 *
 * @example
 * if (classifyNatsError(error) === "final") fail(error); // never retried
 */
export function classifyNatsError(error: unknown): NatsErrorKind {
  if (error instanceof JetStreamApiError) {
    if (error.code === STREAM_NOT_FOUND) return "no-stream";
    return error.status >= 400 && error.status < 500 && error.status !== 408 ? "final" : "transient";
  }
  // A publish nobody stored, or an API request nobody answered (which the client reports as
  // "JetStream not enabled", caused by no responders): no stream, or no leader for it yet. JetStream
  // disabled for the account (API error 10039, also "not enabled") is final, as an unknown error.
  if (isNoResponders(error)) return "no-stream";
  if (
    error instanceof errors.TimeoutError ||
    (error instanceof Error && error.cause instanceof errors.TimeoutError)
  )
    return "timeout";
  return TRANSIENT.some((type) => error instanceof type) ? "transient" : "final";
}

/**
 * The typed error for a final NATS answer, quoting the server's reason.
 *
 * @example
 * throw refused(error, "river_pipeline"); // WEIR_REFUSED, retryable: false
 */
export function refused(error: unknown, topic: string): StreamRefusedError {
  let reason: string;
  if (error instanceof JetStreamApiError) {
    const api = error.apiError();
    reason = `${api.description} (JetStream error ${api.err_code}, status ${api.code})`;
  } else reason = error instanceof Error ? error.message : String(error);
  return new StreamRefusedError(
    `NATS refused a request for topic "${topic}": ${reason}. Asking again would get the same answer, so ` +
      "it is not retried: check the topic's and group's settings and the NATS server's configuration.",
    { cause: error },
  );
}
