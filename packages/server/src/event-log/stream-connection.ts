import type { WebSocket } from "ws";

import { EventLogError, assertName } from "./event-log-error.js";
import type { EventLog } from "./event-log.js";
import type { NewEvent, StoredEvent } from "./event-store.js";
import type { ClientFrame, ServerFrame, WireStart, WireSubscribed } from "@weir/protocol/stream";
import {
  DeliveryFrameWriter,
  MalformedPublishFrame,
  OLDEST_PROTOCOL_VERSION,
  PROTOCOL_VERSION,
  PublishFrameReader,
  VERSION_MISMATCH_CLOSE_CODE,
  eventFieldsRuleBroken,
  eventSize,
  metadataRuleBroken,
} from "@weir/protocol/stream";
import type { GroupEngine, GroupMember } from "@weir/protocol/stream";

/** Limits of one connection. */
export interface ConnectionLimits {
  readonly maxEventBytes: number;
  /** Published events accepted but not yet committed before the server stops reading the socket. */
  readonly maxPendingEvents: number;
}

const HIGH_WATER = 8 * 1024 * 1024;
const LOW_WATER = 1024 * 1024;

/** A frame that breaks the protocol: it closes the connection that sent it (1007/1008), not answered. */
class MalformedFrame extends Error {
  override readonly name = "MalformedFrame";
}

/** A subscription's deliveries are sent once this many are waiting, without waiting for the tick to end. */
const FRAME_EVENTS = 1024;
/** …or once they take this many bytes. */
const FRAME_BYTES = 256 * 1024;

class Subscriber implements GroupMember<StoredEvent> {
  inFlight = 0;
  /** Deliveries waiting to be sent. */
  readonly frame: DeliveryFrameWriter;
  constructor(
    readonly id: number,
    readonly group: GroupEngine<StoredEvent>,
    readonly ephemeral: boolean,
    private readonly limit: number,
    readonly ackWaitMs: number,
    readonly maxDeliver: number,
    private readonly connection: StreamConnection,
  ) {
    this.frame = new DeliveryFrameWriter(id);
  }
  get maxInFlight(): number {
    return this.connection.congested ? 0 : this.limit;
  }
  deliver(event: StoredEvent, deliveryCount: number): void {
    this.connection.queueDelivery(this, event, deliveryCount);
  }
}

function isInt(value: unknown, min: number): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= min;
}

/** The version a client asking for `asked` is served in, or undefined when it is not served. */
function servedVersion(asked: string | undefined): number | undefined {
  if (asked === undefined || !/^\d{1,6}$/.test(asked)) return undefined;
  const version = Number(asked);
  return version >= OLDEST_PROTOCOL_VERSION && version <= PROTOCOL_VERSION ? version : undefined;
}

/** The metadata of a published event, parsed from its JSON; throws unless it keeps the event rules. */
function parseMetadata(json: string): Record<string, string> {
  let metadata: unknown;
  try {
    metadata = JSON.parse(json);
  } catch {
    metadata = undefined;
  }
  const broken = metadataRuleBroken(metadata);
  if (broken !== undefined) throw EventLogError.malformedEvent(broken);
  return metadata as Record<string, string>;
}

function checkStart(from: unknown): WireStart {
  if (from === "earliest" || from === "latest") return from;
  if (typeof from === "object" && from !== null && isInt((from as { offset?: unknown }).offset, 0))
    return { offset: (from as { offset: number }).offset };
  throw new MalformedFrame('"from" must be "earliest", "latest" or { offset }');
}

/**
 * One client of `GET /api/stream`. A frame that is not valid protocol closes this connection only
 * (code 1007/1008); bad events inside a valid frame are answered with an `err` frame.
 */
export class StreamConnection {
  congested = false;
  readonly #subscribers = new Map<number, Subscriber>();
  /** Subscribers with deliveries waiting in their frame. */
  readonly #outgoing = new Set<Subscriber>();
  #flushScheduled = false;
  #pendingEvents = 0;
  #paused = false;
  #closed = false;
  readonly #onTopicDeleted: (name: string) => void;

  /**
   * `clientVersion`: the protocol version the client asked for in the upgrade URL (undefined: none).
   * Every version from OLDEST_PROTOCOL_VERSION on is served: the later ones only add fields to the
   * JSON answers, which older clients ignore, so every answer is written as the newest version.
   */
  constructor(
    private readonly socket: WebSocket,
    private readonly log: EventLog,
    private readonly limits: ConnectionLimits,
    clientVersion: string | undefined,
  ) {
    this.#onTopicDeleted = (name: string) => this.topicDeleted(name);
    // A socket error (a peer that vanished, a bad frame) ends only this connection, version refusal included.
    socket.on("error", () => socket.terminate());
    const version = servedVersion(clientVersion);
    if (version === undefined) {
      // Before `hello`, so that a client of another version fails at connect with this reason
      // (clients before v2 did not send a version).
      const theirs =
        clientVersion === undefined ? "1" : /^\d{1,6}$/.test(clientVersion) ? clientVersion : "?";
      this.#closed = true;
      socket.close(
        VERSION_MISMATCH_CLOSE_CODE,
        `client speaks stream protocol v${theirs}, server v${OLDEST_PROTOCOL_VERSION} to v${PROTOCOL_VERSION}: ` +
          "use matching versions of @weir/stream and the Weir server",
      );
      return;
    }
    socket.on("message", (raw: Buffer, isBinary: boolean) => this.#onMessage(raw, isBinary));
    socket.on("close", () => this.#onClose());
    log.topicDeletedListeners.add(this.#onTopicDeleted);
    this.#send({ t: "hello", v: version, maxEventBytes: limits.maxEventBytes });
  }

  queueDelivery(subscriber: Subscriber, event: StoredEvent, deliveryCount: number): void {
    const frame = subscriber.frame;
    frame.add(event, deliveryCount);
    // Full frames go out at once, so that the client works on them while the rest are built.
    if (frame.count >= FRAME_EVENTS || frame.byteLength >= FRAME_BYTES) {
      this.#sendFrame(subscriber);
      return;
    }
    this.#outgoing.add(subscriber);
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(() => this.#flushDeliveries());
    }
  }

  #sendFrame(subscriber: Subscriber): void {
    this.#outgoing.delete(subscriber);
    if (this.#closed || subscriber.frame.count === 0) return;
    this.socket.send(subscriber.frame.take(), this.#onSent);
    if (this.socket.bufferedAmount > HIGH_WATER) this.congested = true;
  }

  readonly #onSent = (): void => this.#drained();

  #flushDeliveries(): void {
    this.#flushScheduled = false;
    for (const subscriber of this.#outgoing) this.#sendFrame(subscriber);
    this.#outgoing.clear();
  }

  #drained(): void {
    if (!this.congested || this.socket.bufferedAmount > LOW_WATER) return;
    this.congested = false;
    for (const subscriber of this.#subscribers.values()) subscriber.group.pump();
  }

  #send(frame: ServerFrame): void {
    if (!this.#closed) this.socket.send(JSON.stringify(frame));
  }

  #onMessage(raw: Buffer, isBinary: boolean): void {
    if (this.#closed) return;
    if (isBinary) {
      this.#onPublishFrame(raw);
      return;
    }
    let frame: ClientFrame;
    try {
      frame = JSON.parse(raw.toString("utf8")) as ClientFrame;
    } catch {
      this.#reject(1007, "malformed frame: not JSON");
      return;
    }
    try {
      this.#handle(frame);
    } catch (error) {
      const r = (frame as { r?: unknown }).r;
      this.#answerError(error, typeof r === "number" ? r : undefined);
    }
  }

  #onPublishFrame(raw: Buffer): void {
    let reader: PublishFrameReader;
    try {
      reader = new PublishFrameReader(raw);
    } catch (error) {
      this.#reject(1007, `malformed frame: ${(error as Error).message}`);
      return;
    }
    try {
      this.#publish(reader);
    } catch (error) {
      this.#answerError(error, reader.requestId);
    }
  }

  /** A bad frame closes the connection; a refused request (bad event, unknown topic) is answered. */
  #answerError(error: unknown, r: number | undefined): void {
    if (error instanceof MalformedFrame || error instanceof MalformedPublishFrame)
      this.#reject(1008, `malformed frame: ${error.message}`);
    else if (error instanceof EventLogError && r !== undefined)
      this.#send({
        t: "err",
        r,
        code: error.code,
        message: error.message,
        ...(error.known ? { known: error.known } : {}),
      });
    else this.#reject(1011, `internal error: ${(error as Error).message}`);
  }

  #handle(frame: ClientFrame): void {
    if (typeof frame !== "object" || frame === null || typeof frame.t !== "string")
      throw new MalformedFrame('a frame is an object with a "t" field');
    const needsRequest = frame.t !== "ack" && frame.t !== "nack";
    if (needsRequest && !isInt((frame as { r?: unknown }).r, 0))
      throw new MalformedFrame('"r" must be an integer');
    switch (frame.t) {
      case "create": {
        assertName("topic", frame.topic);
        const opts = (frame.opts ?? {}) as { maxAgeMs?: unknown; maxBytes?: unknown };
        if (opts.maxAgeMs !== undefined && !isInt(opts.maxAgeMs, 1)) throw new MalformedFrame("bad maxAgeMs");
        if (opts.maxBytes !== undefined && !isInt(opts.maxBytes, 1)) throw new MalformedFrame("bad maxBytes");
        const result = this.log.createTopic(
          frame.topic,
          {
            ...(opts.maxAgeMs === undefined ? {} : { maxAgeMs: opts.maxAgeMs }),
            ...(opts.maxBytes === undefined ? {} : { maxBytes: opts.maxBytes }),
          },
          frame.ifMissing === true,
        );
        return this.#send({ t: "ok", r: frame.r, result });
      }
      case "list":
        return this.#send({
          t: "ok",
          r: frame.r,
          result: this.log.topicNames().map((name) => this.log.summary(this.log.topic(name))),
        });
      case "info":
        assertName("topic", frame.topic);
        return this.#send({ t: "ok", r: frame.r, result: this.log.summary(this.log.topic(frame.topic)) });
      case "delete":
        assertName("topic", frame.topic);
        this.log.deleteTopic(frame.topic);
        return this.#send({ t: "ok", r: frame.r });
      case "sub":
        return this.#subscribe(frame);
      case "ack": {
        const subscriber = this.#subscriber(frame.s);
        const ranges = frame.o as unknown;
        if (!Array.isArray(ranges) || ranges.length % 2 !== 0)
          throw new MalformedFrame('"o" must be an array of offset ranges [first, last, …]');
        for (let k = 0; k < ranges.length; k += 2) {
          const first: unknown = ranges[k];
          const last: unknown = ranges[k + 1];
          if (!isInt(first, 1) || !isInt(last, first))
            throw new MalformedFrame('"o" must be an array of offset ranges [first, last, …]');
          subscriber?.group.ackRange(first, last);
        }
        if (subscriber) this.log.groupChanged(subscriber.group);
        return;
      }
      case "nack": {
        const subscriber = this.#subscriber(frame.s);
        if (!isInt(frame.o, 1) || !isInt(frame.delayMs, 0)) throw new MalformedFrame("bad nack");
        subscriber?.group.nack(frame.o, frame.delayMs);
        if (subscriber) this.log.groupChanged(subscriber.group);
        return;
      }
      case "unsub": {
        const subscriber = this.#subscriber(frame.s);
        if (subscriber) this.#remove(subscriber);
        this.log.afterCommit(() => this.#send({ t: "ok", r: frame.r }));
        return;
      }
      default:
        throw new MalformedFrame(`unknown frame type "${String((frame as { t: unknown }).t)}"`);
    }
  }

  #subscriber(id: unknown): Subscriber | undefined {
    if (!isInt(id, 0)) throw new MalformedFrame('"s" must be a subscription id');
    return this.#subscribers.get(id);
  }

  #publish(reader: PublishFrameReader): void {
    if (reader.count === 0) throw new MalformedFrame("a publish frame carries at least one event");
    assertName("topic", reader.topic);
    const topic = this.log.topic(reader.topic);
    const frame = reader.frame;
    const events: NewEvent[] = [];
    while (reader.next()) {
      const { id, mimetype, typeName, typeVersion, idempotencyKey } = reader;
      const broken = eventFieldsRuleBroken(id, mimetype, typeName, typeVersion, idempotencyKey);
      if (broken !== undefined) throw EventLogError.malformedEvent(broken);
      const metadata = reader.metadata === undefined ? undefined : parseMetadata(reader.metadata);
      const size = eventSize(reader.payloadEnd - reader.payloadStart, mimetype, typeName, metadata);
      if (size > this.limits.maxEventBytes)
        throw EventLogError.eventTooLarge(topic.name, size, this.limits.maxEventBytes);
      events.push({
        id,
        // Text is decoded from its UTF-8 bytes (so it is well formed) and stored as TEXT; bytes are
        // copied out of the frame, which is not kept.
        data: reader.text
          ? frame.toString("utf8", reader.payloadStart, reader.payloadEnd)
          : Buffer.from(frame.subarray(reader.payloadStart, reader.payloadEnd)),
        mimetype,
        typeName: typeName ?? null,
        typeVersion: typeVersion ?? null,
        metadata: metadata === undefined ? null : JSON.stringify(metadata),
        idempotencyKey: idempotencyKey ?? null,
        size,
      });
    }
    this.#pendingEvents += events.length;
    if (this.#pendingEvents > this.limits.maxPendingEvents && !this.#paused) {
      this.#paused = true;
      this.socket.pause();
    }
    const r = reader.requestId;
    this.log.publish(topic, events, (result) => {
      this.#pendingEvents -= events.length;
      if (this.#paused && this.#pendingEvents <= this.limits.maxPendingEvents / 2) {
        this.#paused = false;
        this.socket.resume();
      }
      if (result instanceof EventLogError)
        this.#send({ t: "err", r, code: result.code, message: result.message });
      else
        this.#send({
          t: "puback",
          r,
          c: result.committedAt,
          o: result.offsets,
          ...(result.duplicates ? { dup: result.duplicates } : {}),
        });
    });
  }

  #subscribe(frame: Extract<ClientFrame, { t: "sub" }>): void {
    if (!isInt(frame.s, 0)) throw new MalformedFrame('"s" must be a subscription id');
    if (this.#subscribers.has(frame.s)) throw new MalformedFrame(`subscription ${frame.s} already exists`);
    if (!isInt(frame.ackWaitMs, 1) || !isInt(frame.maxDeliver, 1) || !isInt(frame.maxInFlight, 1))
      throw new MalformedFrame("ackWaitMs, maxDeliver and maxInFlight must be positive integers");
    const from = checkStart(frame.from);
    assertName("topic", frame.topic);
    if (frame.group !== undefined) assertName("group", frame.group);
    const topic = this.log.topic(frame.topic);
    const group = this.log.group(topic, frame.group, from);
    const subscriber = new Subscriber(
      frame.s,
      group,
      frame.group === undefined,
      Math.min(frame.maxInFlight, 100_000),
      frame.ackWaitMs,
      frame.maxDeliver,
      this,
    );
    this.#subscribers.set(frame.s, subscriber);
    topic.consumers.set(group.name, (topic.consumers.get(group.name) ?? 0) + 1);
    // Sent before any delivery: the client knows which incarnation of the topic it reads first.
    const result: WireSubscribed = { topicId: topic.row.uid };
    this.#send({ t: "ok", r: frame.r, result });
    group.addMember(subscriber);
  }

  #remove(subscriber: Subscriber): void {
    this.#subscribers.delete(subscriber.id);
    this.#outgoing.delete(subscriber);
    subscriber.group.removeMember(subscriber);
    const topic = this.log.topicOf(subscriber.group);
    if (topic) {
      const left = (topic.consumers.get(subscriber.group.name) ?? 1) - 1;
      if (left > 0) topic.consumers.set(subscriber.group.name, left);
      else topic.consumers.delete(subscriber.group.name);
    }
    if (subscriber.ephemeral) this.log.dropGroup(subscriber.group);
    else this.log.groupChanged(subscriber.group);
  }

  /** Ends subscriptions whose topic was deleted. */
  topicDeleted(name: string): void {
    for (const subscriber of [...this.#subscribers.values()]) {
      if (this.log.topicOf(subscriber.group)?.name === name) {
        this.#subscribers.delete(subscriber.id);
        this.#outgoing.delete(subscriber);
        subscriber.group.stop();
        const error = EventLogError.topicNotFound(name, this.log.topicNames());
        this.#send({
          t: "suberr",
          s: subscriber.id,
          code: error.code,
          message: error.message,
          known: error.known ?? [],
        });
      }
    }
  }

  #reject(code: number, reason: string): void {
    this.socket.close(code, reason.slice(0, 120));
    this.#onClose();
  }

  #onClose(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.log.topicDeletedListeners.delete(this.#onTopicDeleted);
    if (this.#paused) this.socket.resume();
    for (const subscriber of [...this.#subscribers.values()]) this.#remove(subscriber);
  }
}
