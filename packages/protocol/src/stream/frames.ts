/**
 * The WebSocket protocol between `@weir/stream` and the Weir server's event log (`GET /api/stream`).
 * Text frames of compact JSON, except publishes and deliveries, which are binary frames
 * (`publish-frame.ts`, `delivery-frame.ts`) carrying many events each; acks are batched per
 * subscription as ranges, so no event needs its own round trip. Both ends import these types from
 * `@weir/protocol/stream`; see docs/stream.md.
 */

import type { EventLogErrorCode } from "./stream-errors.js";

/**
 * Protocol version. The client asks for it in the upgrade URL (`/api/stream?v=4`). A server serves
 * every version from {@link OLDEST_PROTOCOL_VERSION} to its own and answers `hello` with the
 * client's (the version the connection speaks); it refuses any other with close code
 * {@link VERSION_MISMATCH_CLOSE_CODE} and a reason naming both. A client refuses a `hello` of
 * another version than its own.
 * v2: binary delivery frames, acks as offset ranges. v3: binary publish frames. v4: topic identity —
 * topics (`create`, `info`, `list`) carry `topicId`, and the answer to `sub` is
 * `{ t: "ok", r, result: { topicId } }` ({@link WireSubscribed}). v4 only adds fields, which a v3
 * client ignores, so a v4 server serves v3 clients unchanged.
 */
export const PROTOCOL_VERSION = 4;

/** The oldest client version a server still serves (see {@link PROTOCOL_VERSION}). */
export const OLDEST_PROTOCOL_VERSION = 3;

/** The query parameter of the upgrade URL that carries the client's protocol version. */
export const PROTOCOL_VERSION_PARAM = "v";

/** WebSocket close code of a connection refused for a protocol version mismatch. */
export const VERSION_MISMATCH_CLOSE_CODE = 4002;

/** Topic settings on the wire. */
export interface WireTopicOptions {
  maxAgeMs?: number;
  maxBytes?: number;
}

export type WireStart = "earliest" | "latest" | { offset: number };

/**
 * The `result` of the `ok` answering a `sub` (v4): `topicId` names the incarnation of the topic the
 * subscription reads — a deleted and re-created topic has another one, and its offsets start over.
 */
export interface WireSubscribed {
  topicId: string;
}

/** The JSON frames of a client; publishes are binary (`PublishFrameWriter`). */
export type ClientFrame =
  | { t: "create"; r: number; topic: string; opts: WireTopicOptions; ifMissing: boolean }
  | { t: "list"; r: number }
  | { t: "info"; r: number; topic: string }
  | { t: "delete"; r: number; topic: string }
  | {
      t: "sub";
      r: number;
      s: number;
      topic: string;
      group?: string;
      from: WireStart;
      ackWaitMs: number;
      maxDeliver: number;
      maxInFlight: number;
    }
  /** `o`: inclusive ranges of acknowledged offsets, flattened: `[first, last, first, last, …]`. */
  | { t: "ack"; s: number; o: number[] }
  | { t: "nack"; s: number; o: number; delayMs: number }
  | { t: "unsub"; r: number; s: number };

export type ServerFrame =
  | { t: "hello"; v: number; maxEventBytes: number }
  /** Publish answer (to a publish frame's request id): offsets in order; `dup` lists indexes that were duplicates with their stored id. */
  | { t: "puback"; r: number; c: number; o: number[]; dup?: Record<string, string> }
  | { t: "ok"; r: number; result?: unknown }
  /** A refused request: `code` and `message` as in `stream-errors.ts`; `known` lists the topics for WEIR_TOPIC_NOT_FOUND. */
  | { t: "err"; r: number; code: EventLogErrorCode; message: string; known?: string[] }
  /** A subscription the server ended (its topic was deleted). */
  | { t: "suberr"; s: number; code: EventLogErrorCode; message: string; known?: string[] };
