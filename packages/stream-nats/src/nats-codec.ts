import { headers as natsHeaders } from "@nats-io/transport-node";
import type { Msg, MsgHdrs } from "@nats-io/transport-node";
import type { EncodedEvent } from "@weir/stream/backend";

import { HEADER, MSG_ID_HEADER } from "./nats-names.js";

/**
 * The mimetype of a Weir event without a `Weir-Mimetype` header. JSON is what almost every event
 * carries, so it is not repeated on each message; a message without `Weir-Id` (not published by Weir)
 * is opaque bytes.
 */
const DEFAULT_MIMETYPE = "application/json";
const FOREIGN_MIMETYPE = "application/octet-stream";

const EMPTY: Readonly<Record<string, string>> = Object.freeze({});

/**
 * The Weir headers of one event (plus JetStream's de-duplication header for an idempotency key).
 * Each key is new, so `append` (`set` would first look the key up to delete it, on every publish).
 */
export function encodeHeaders(event: EncodedEvent): MsgHdrs {
  const h = natsHeaders();
  h.append(HEADER.id, event.id);
  if (event.mimetype !== DEFAULT_MIMETYPE) h.append(HEADER.mimetype, event.mimetype);
  if (event.typeName !== undefined) h.append(HEADER.typeName, event.typeName);
  if (event.typeVersion !== undefined) h.append(HEADER.typeVersion, String(event.typeVersion));
  if (event.metadata !== undefined && Object.keys(event.metadata).length > 0)
    h.append(HEADER.metadata, JSON.stringify(event.metadata));
  if (event.idempotencyKey !== undefined) h.append(MSG_ID_HEADER, event.idempotencyKey);
  return h;
}

/** Where a delivered message sits, read from its `$JS.ACK…` reply subject. */
export interface Delivery {
  /** Stream sequence: the event's offset. */
  readonly seq: number;
  /** 1 on the first delivery. */
  readonly deliveryCount: number;
  /** When the event was stored (ms since the epoch). */
  readonly storedAtMs: number;
}

/**
 * Parses `$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<dseq>.<ts>.<pending>` (9 tokens) or the
 * form with domain and account hash after `$JS.ACK` (11 or 12 tokens). `undefined` if it is neither.
 */
export function parseAckSubject(reply: string): Delivery | undefined {
  // Runs once per delivered message: counts and walks the dots, reads the numbers digit by digit,
  // and makes no string on the way.
  if (!reply.startsWith("$JS.ACK.")) return undefined;
  let dots = 0;
  for (let at = reply.indexOf("."); at !== -1; at = reply.indexOf(".", at + 1)) dots++;
  const tokens = dots + 1;
  if (tokens !== 9 && tokens !== 11 && tokens !== 12) return undefined;
  let at = -1;
  for (let token = tokens === 9 ? 4 : 6; token > 0; token--) at = reply.indexOf(".", at + 1);
  const deliveryCount = numberAt(reply, at + 1);
  at = reply.indexOf(".", at + 1);
  const seq = numberAt(reply, at + 1);
  at = reply.indexOf(".", reply.indexOf(".", at + 1) + 1);
  return { deliveryCount, seq, storedAtMs: Math.floor(numberAt(reply, at + 1) / 1e6) };
}

/** The decimal number that starts at `from` (up to the next non-digit). */
function numberAt(text: string, from: number): number {
  let value = 0;
  for (let i = from; i < text.length; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) break;
    value = value * 10 + digit;
  }
  return value;
}

/** The fields a delivered message's Weir headers carry. */
export interface HeaderFields {
  readonly id: string;
  readonly mimetype: string;
  readonly typeName: string | undefined;
  readonly typeVersion: number | undefined;
  readonly metadata: Readonly<Record<string, string>>;
}

/**
 * The event fields of a delivered message, in one pass over its headers, with defaults for absent
 * ones; a message without `Weir-Id` is named `<stream>:<seq>`.
 */
export function decodeHeaders(msg: Msg, stream: string, seq: number): HeaderFields {
  let id = "";
  let mimetype = "";
  let typeName: string | undefined;
  let typeVersion: number | undefined;
  let metadata = EMPTY;
  const headers = msg.headers;
  if (headers)
    for (const [key, values] of headers) {
      const value = values[0];
      if (!value) continue;
      switch (key) {
        case HEADER.id:
          id = value;
          break;
        case HEADER.mimetype:
          mimetype = value;
          break;
        case HEADER.typeName:
          typeName = value;
          break;
        case HEADER.typeVersion:
          typeVersion = Number(value);
          break;
        case HEADER.metadata:
          metadata = parseMetadata(value);
          break;
      }
    }
  return {
    id: id || `${stream}:${seq}`,
    mimetype: mimetype || (id ? DEFAULT_MIMETYPE : FOREIGN_MIMETYPE),
    typeName,
    typeVersion,
    metadata,
  };
}

function parseMetadata(text: string): Readonly<Record<string, string>> {
  try {
    const value = JSON.parse(text) as unknown;
    return value !== null && typeof value === "object" ? (value as Record<string, string>) : EMPTY;
  } catch {
    // Not written by Weir: an event without metadata rather than a failed subscription.
    return EMPTY;
  }
}

/** Replies to a delivered message's ack subject. */
export const ACK = Uint8Array.of(43, 65, 67, 75); // +ACK
export const TERM = Uint8Array.of(43, 84, 69, 82, 77); // +TERM
const NAK = Uint8Array.of(45, 78, 65, 75); // -NAK
const encoder = new TextEncoder();

/** `-NAK`, with a redelivery delay when `delayMs` > 0. */
export function nakPayload(delayMs: number): Uint8Array {
  return delayMs > 0 ? encoder.encode(`-NAK {"delay":${Math.round(delayMs) * 1e6}}`) : NAK;
}
