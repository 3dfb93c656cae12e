import type { EventInput, Stream } from "@weir/stream";

/** Events published in one call at most. */
const BATCH = 1024;

/**
 * The events handlers publish, sent in batches: after the deliveries at hand are handled (before
 * waiting for more), or at once when a topic has {@link BATCH} waiting. A checkpoint takes what
 * was sent ({@link Outbox.take}) and is saved only once all of it is durable, so a checkpoint
 * never covers an event whose output could be lost.
 *
 * @example
 * const outbox = new Outbox(stream, (error) => stop(error));
 * outbox.add("river_metrics", { data: { n: 1 }, idempotencyKey: "river_pipeline:abc:1" });
 * await Promise.all(outbox.take());
 */
export class Outbox {
  readonly #stream: Pick<Stream, "publish">;
  readonly #onFailure: (error: unknown) => void;
  readonly #batches = new Map<string, EventInput[]>();
  #sent: Promise<unknown>[] = [];
  #scheduled = false;

  /** `onFailure`: called once per failed publish, as soon as it fails. */
  constructor(stream: Pick<Stream, "publish">, onFailure: (error: unknown) => void) {
    this.#stream = stream;
    this.#onFailure = onFailure;
  }

  add(topic: string, event: EventInput): void {
    let batch = this.#batches.get(topic);
    if (batch === undefined) this.#batches.set(topic, (batch = []));
    batch.push(event);
    if (batch.length >= BATCH) this.#send(topic, batch);
    else if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Sends every batch now. */
  flush(): void {
    this.#scheduled = false;
    for (const [topic, batch] of this.#batches) this.#send(topic, batch);
  }

  /** Sends every batch and hands over the publishes sent so far: they must all resolve before a checkpoint. */
  take(): Promise<unknown>[] {
    this.flush();
    const sent = this.#sent;
    this.#sent = [];
    return sent;
  }

  #send(topic: string, batch: EventInput[]): void {
    if (batch.length === 0) return;
    this.#batches.set(topic, []);
    const sending = this.#stream.publish(topic, batch);
    // Seen at once (not only when a checkpoint awaits it), so a failure stops the loop right away.
    sending.catch(this.#onFailure);
    this.#sent.push(sending);
  }
}
