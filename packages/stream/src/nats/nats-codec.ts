import type { Msg, MsgHdrs } from "nats";
import { headers as natsHeaders } from "nats";

import type { EncodedEvent } from "../core/encode-event.js";
import type { ReceivedFields } from "../core/received-event.js";
import { HEADER, MSG_ID_HEADER } from "./nats-names.js";

/**
 * The mimetype of a Weir event without a `Weir-Mimetype` header. JSON is what almost every event
 * carries, so it is not repeated on each message; a message without `Weir-Id` (not published by Weir)
 * is opaque bytes.
 */
const DEFAULT_MIMETYPE = "application/json";
const FOREIGN_MIMETYPE = "application/octet-stream";

const EMPTY: Readonly<Record<string, string>> = Object.freeze({});

/** The Weir headers of one event (plus JetStream's de-duplication header for an idempotency key). */
export function encodeHeaders(event: EncodedEvent): MsgHdrs {
  const h = natsHeaders();
  h.set(HEADER.id, event.id);
  if (event.mimetype !== DEFAULT_MIMETYPE) h.set(HEADER.mimetype, event.mimetype);
  if (event.typeName !== undefined) h.set(HEADER.typeName, event.typeName);
  if (event.typeVersion !== undefined) h.set(HEADER.typeVersion, String(event.typeVersion));
  if (event.metadata !== undefined && Object.keys(event.metadata).length > 0)
    h.set(HEADER.metadata, JSON.stringify(event.metadata));
  if (event.idempotencyKey !== undefined) h.set(MSG_ID_HEADER, event.idempotencyKey);
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
  // Runs once per delivered message: finds the dots instead of splitting into 9–12 strings.
  if (!reply.startsWith("$JS.ACK.")) return undefined;
  const dots: number[] = [3, 7]; // dots[i] ends token i
  for (let at = reply.indexOf(".", 8); at !== -1 && dots.length < 12; at = reply.indexOf(".", at + 1))
    dots.push(at);
  const tokens = dots.length + 1;
  if (tokens !== 9 && tokens !== 11 && tokens !== 12) return undefined;
  const delivered = tokens === 9 ? 4 : 6; // index of the <delivered> token
  const token = (i: number): number => Number(reply.slice((dots[i - 1] as number) + 1, dots[i]));
  return {
    deliveryCount: token(delivered),
    seq: token(delivered + 1),
    storedAtMs: Math.floor(token(delivered + 3) / 1e6),
  };
}

/** The event fields of a delivered message: one pass over its headers, defaults for absent ones. */
export function decodeFields(topic: string, stream: string, msg: Msg, delivery: Delivery): ReceivedFields {
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
    id: id || `${stream}:${delivery.seq}`,
    topic,
    offset: delivery.seq,
    data: msg.data,
    mimetype: mimetype || (id ? DEFAULT_MIMETYPE : FOREIGN_MIMETYPE),
    typeName,
    typeVersion,
    metadata,
    createdAt: new Date(delivery.storedAtMs),
    deliveryCount: delivery.deliveryCount,
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
