/**
 * The WebSocket protocol between `@weir/stream` and the Weir server's event log (`GET /api/stream`).
 * Text frames of compact JSON; publishes and deliveries are batched (many events per frame), acks
 * are batched per subscription, so no event needs its own round trip. Both ends import these types
 * from `@weir/protocol/stream`; see docs/stream.md.
 */

/** Protocol version announced in `hello`. */
export const PROTOCOL_VERSION = 1;

/** An event on the wire (client → server). */
export interface WireEventIn {
  /** id */
  i: string;
  /** data, base64 (binary payloads) */
  d?: string;
  /** data as UTF-8 text (JSON and text payloads; exactly one of `d` and `s`) */
  s?: string;
  /** mimetype */
  m: string;
  /** type name */
  tn?: string;
  /** type version */
  tv?: number;
  /** metadata */
  md?: Record<string, string>;
  /** idempotency key */
  k?: string;
}

/** A delivered event (server → client). */
export interface WireEventOut extends WireEventIn {
  /** offset */
  o: number;
  /** delivery count */
  n: number;
  /** createdAt, ms since epoch */
  c: number;
}

/** Topic settings on the wire. */
export interface WireTopicOptions {
  maxAgeMs?: number;
  maxBytes?: number;
}

export type WireStart = "earliest" | "latest" | { offset: number };

export type ClientFrame =
  | { t: "pub"; r: number; topic: string; e: WireEventIn[] }
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
  | { t: "ack"; s: number; o: number[] }
  | { t: "nack"; s: number; o: number; delayMs: number }
  | { t: "unsub"; r: number; s: number };

export type ServerFrame =
  | { t: "hello"; v: number; maxEventBytes: number }
  /** Publish answer: offsets in order; `dup` lists indexes that were duplicates with their stored id. */
  | { t: "puback"; r: number; c: number; o: number[]; dup?: Record<string, string> }
  | { t: "ok"; r: number; result?: unknown }
  | { t: "err"; r: number; code: string; message: string; known?: string[] }
  | { t: "msg"; s: number; e: WireEventOut[] }
  | { t: "suberr"; s: number; code: string; message: string; known?: string[] };
