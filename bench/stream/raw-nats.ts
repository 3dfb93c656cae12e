/**
 * The baseline of the NATS comparison: the same workload written directly on the NATS client v3
 * (`@nats-io/transport-node` + `@nats-io/jetstream`), as optimised as the Weir backend, so that the
 * ratio measures what Weir adds and nothing else:
 *
 * - the connection is opened with `noAsyncTraces`, as the Weir backend opens it;
 * - publishing is a core `publish()` with a reply subject under one inbox subscription (pipelined
 *   acks, one promise per publish, each PubAck parsed and checked), carrying the header Weir sends
 *   (`Weir-Id`, a random UUID), with `JSON.stringify` and UTF-8 encoding inside the timed loop;
 * - consuming pulls through one inbox subscription with pipelined pull requests, as the backend does
 *   (a new request whenever a quarter of the window is free), parses each event's JSON and acks it.
 *   The callback does this synchronously: no async iterator, no per-event object of its own.
 * - the stream has the settings Weir gives a topic (file storage, 2 min duplicate window), and the
 *   consumer the limits a Weir group asks for.
 */
import { randomUUID } from "node:crypto";

import { AckPolicy, DeliverPolicy, jetstreamManager, StorageType } from "@nats-io/jetstream";
import type { JetStreamManager } from "@nats-io/jetstream";
import { connect, createInbox, headers, nanos } from "@nats-io/transport-node";
import type { Msg, NatsConnection } from "@nats-io/transport-node";

import { pipelined } from "./workload.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const ACK = Uint8Array.of(43, 65, 67, 75); // +ACK

export class RawNats {
  private constructor(
    readonly nc: NatsConnection,
    readonly jsm: JetStreamManager,
  ) {}

  static async open(url: string): Promise<RawNats> {
    const nc = await connect({ servers: url.replace(/^nats:\/\//, ""), noAsyncTraces: true });
    return new RawNats(nc, await jetstreamManager(nc));
  }

  async createStream(name: string): Promise<string> {
    const subject = `raw.${name}`;
    await this.jsm.streams.add({
      name,
      subjects: [subject],
      storage: StorageType.File,
      num_replicas: 1,
      duplicate_window: nanos(120_000),
    });
    return subject;
  }

  /** Publishes `inputs[i].data` for every i, at most `window` unacknowledged at a time. */
  async publish(subject: string, inputs: readonly { data: unknown }[], window: number): Promise<void> {
    const inbox = createInbox();
    const prefix = `${inbox}.`;
    const waiting = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
    const subscription = this.nc.subscribe(`${inbox}.*`, {
      callback: (error, msg) => {
        if (error) throw error;
        const token = Number(msg.subject.slice(prefix.length));
        const pending = waiting.get(token);
        if (!pending) return;
        waiting.delete(token);
        const ack = (msg.data.length > 0 ? JSON.parse(decoder.decode(msg.data)) : {}) as {
          seq?: number;
          error?: { description: string };
        };
        if (typeof ack.seq === "number") pending.resolve();
        else pending.reject(new Error(`publish refused: ${ack.error?.description ?? msg.headers?.code}`));
      },
    });
    let next = 0;
    await pipelined(
      inputs.length,
      window,
      (i) =>
        new Promise<void>((resolve, reject) => {
          const token = ++next;
          const h = headers();
          h.append("Weir-Id", randomUUID());
          const data = encoder.encode(JSON.stringify((inputs[i] as { data: unknown }).data));
          this.nc.publish(subject, data, { reply: prefix + token, headers: h });
          waiting.set(token, { resolve, reject });
        }),
    );
    subscription.unsubscribe();
  }

  /** Reads and acknowledges `count` events with a durable consumer, holding at most `window`. */
  async consume(stream: string, count: number, window: number): Promise<void> {
    const consumer = "bench";
    await this.jsm.consumers.add(stream, {
      durable_name: consumer,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(30_000),
      max_deliver: 6,
      max_ack_pending: Math.max(1000, window * 4),
    });
    const pullTo = `$JS.API.CONSUMER.MSG.NEXT.${stream}.${consumer}`;
    const inbox = createInbox();
    let requested = 0;
    let requests = 0;
    let seen = 0;
    const pull = (): void => {
      const room = window - requested;
      if (room * 4 < window) return;
      requested += room;
      const request = { batch: room, expires: nanos(30_000) };
      this.nc.publish(pullTo, encoder.encode(JSON.stringify(request)), { reply: `${inbox}.${++requests}` });
    };
    await new Promise<void>((resolve, reject) => {
      const subscription = this.nc.subscribe(`${inbox}.*`, {
        callback: (error: Error | null, msg: Msg) => {
          if (error) return reject(error);
          if (!msg.reply) {
            // A status: the request it answers is over (what it did not deliver is no longer asked for).
            const left = Number(msg.headers?.get("Nats-Pending-Messages") || 0);
            if (msg.headers?.code !== 100) requested = Math.max(0, requested - left);
            pull();
            return;
          }
          msg.json();
          msg.respond(ACK);
          requested--;
          if (++seen === count) {
            subscription.unsubscribe();
            resolve();
          } else pull();
        },
      });
      pull();
    });
  }

  async deleteStream(name: string): Promise<void> {
    await this.jsm.streams.delete(name);
  }

  async close(): Promise<void> {
    await this.nc.close();
  }
}
