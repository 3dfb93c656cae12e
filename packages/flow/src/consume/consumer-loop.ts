import type { StreamEvent, Subscription } from "@weir/stream";

import type { RunLogger } from "../logger.js";
import { CheckpointWindow } from "./checkpoint-window.js";
import type { Snapshot } from "./checkpoint-window.js";
import type { ConsumeCheckpoint } from "./consume-checkpoint.js";
import type { ConsumeOptions, ConsumeResult, HandleContext } from "./consume-options.js";
import { OffsetSequencer } from "./offset-sequencer.js";
import { Outbox } from "./outbox.js";
import type { StateCodec } from "./state-codec.js";

/** Everything a {@link ConsumerLoop} starts from, settled by `consume()` before the first event. */
export interface LoopStart<S, T> {
  readonly options: ConsumeOptions<S, T>;
  readonly key: string;
  readonly codec: StateCodec<S>;
  readonly logger: Pick<RunLogger, "info" | "warn">;
  readonly subscription: Subscription;
  readonly topicId: string;
  /** The state to go on from (restored from `savedOffset`'s checkpoint, or the initial one). */
  readonly state: S;
  /** The offset the stored checkpoint covers (0: none). */
  readonly savedOffset: number;
  /** The first offset to hand to the handler. */
  readonly firstOffset: number;
  readonly every: number;
  readonly intervalMs: number;
  readonly ackWaitMs: number;
  readonly gapTimeoutMs: number;
  /** Unacknowledged events the subscription may hold. */
  readonly maxInFlight: number;
}

const WOKEN = Symbol("woken");
type Arrival = IteratorResult<StreamEvent> | typeof WOKEN;

/**
 * One run of {@link consume}: receives events, hands them to the handler strictly in offset
 * order, checkpoints while handling goes on, and stops on the signal with a last checkpoint.
 *
 * Everything that touches the state (handler calls, snapshots) happens in one sequential loop,
 * so a checkpoint is always taken between two handler calls. Timers only wake the loop when it
 * waits for a delivery (a checkpoint or a gap is due, or it was asked to stop).
 */
export class ConsumerLoop<S, T> {
  readonly #start: LoopStart<S, T>;
  readonly #sequencer: OffsetSequencer<StreamEvent>;
  readonly #window: CheckpointWindow;
  readonly #outbox: Outbox;
  readonly #keyPrefix: string;
  readonly #decode: (event: StreamEvent) => T;
  #handledOffset: number;
  #handled = 0;
  #skipped = 0;
  #invalid = 0;
  #stopRequested = false;
  #failure: { error: unknown } | undefined;
  #wake: (() => void) | undefined;

  constructor(start: LoopStart<S, T>) {
    this.#start = start;
    const { options } = start;
    this.#sequencer = new OffsetSequencer(start.firstOffset);
    this.#handledOffset = start.firstOffset - 1;
    this.#keyPrefix = `${options.topic}:${start.topicId}:`;
    this.#decode = options.decode ?? decodeJson<T>;
    this.#outbox = new Outbox(options.stream, (error) => this.#fail(error));
    this.#window = new CheckpointWindow(
      {
        every: start.every,
        intervalMs: start.intervalMs,
        save: (checkpoint) => options.checkpoints.save(start.key, checkpoint),
        saved: (checkpoint) => options.onCheckpoint?.(checkpoint),
        failed: (error) => this.#fail(error),
        // What was handled while this one was saved is checkpointed next, without waiting for more.
        settled: () => this.#wake?.(),
      },
      start.savedOffset,
    );
  }

  /** Runs until the signal, the end of the subscription, or a failure. */
  async run(): Promise<ConsumeResult<S>> {
    const { options, subscription } = this.#start;
    const stop = (): void => {
      this.#stopRequested = true;
      this.#wake?.();
    };
    options.signal?.addEventListener("abort", stop, { once: true });
    if (options.signal?.aborted) stop();
    const { intervalMs, gapTimeoutMs } = this.#start;
    const timer = setInterval(() => this.#tick(), Math.max(50, Math.min(intervalMs, gapTimeoutMs) / 4));
    try {
      await this.#receive();
      await this.#window.settled();
      // The last checkpoint is saved after the loop stopped, so it covers every event handled.
      if (this.#failure === undefined && this.#window.pending > 0) await this.#checkpoint();
    } catch (error) {
      this.#fail(error);
      await this.#window.settled();
    } finally {
      clearInterval(timer);
      options.signal?.removeEventListener("abort", stop);
      // Closed only now, so that the acknowledgements of the last checkpoint went out on it.
      await subscription.close();
    }
    if (this.#failure !== undefined) throw this.#failure.error;
    return {
      state: this.#start.state,
      lastOffset: this.#window.savedOffset,
      handled: this.#handled,
      skipped: this.#skipped,
      invalid: this.#invalid,
    };
  }

  get #stopping(): boolean {
    return this.#stopRequested || this.#failure !== undefined;
  }

  // The hot path (one in-order event, a handler that returns nothing) makes no promise of its own
  // beyond the wait for the delivery: steps that may wait return a promise only when they do.
  async #receive(): Promise<void> {
    const deliveries = this.#start.subscription[Symbol.asyncIterator]();
    let next: Promise<IteratorResult<StreamEvent>> | undefined;
    try {
      while (!this.#stopping) {
        next ??= deliveries.next();
        const arrival = await this.#arrivalOf(next);
        this.#wake = undefined;
        if (arrival === WOKEN && this.#stopping) return;
        if (arrival !== WOKEN) {
          next = undefined;
          if (arrival.done === true) return;
          const accepting = this.#accept(arrival.value);
          if (accepting !== undefined) await accepting;
        }
        if (this.#gapExpired()) await this.#skipGap();
        // Handling goes on while a checkpoint is saved; the next starts when it is stored.
        if (!this.#stopping && !this.#window.saving && this.#window.due()) void this.#checkpoint();
      }
    } finally {
      // A delivery still awaited is not handled: it goes back to the group when the subscription closes.
      void next?.catch(() => undefined);
    }
  }

  /** The next delivery, or WOKEN when a timer or the signal needs the loop first. */
  #arrivalOf(next: Promise<IteratorResult<StreamEvent>>): Promise<Arrival> {
    return new Promise<Arrival>((resolve, reject) => {
      this.#wake = () => resolve(WOKEN);
      next.then(resolve, reject);
    });
  }

  #tick(): void {
    if (this.#gapExpired() || (!this.#window.saving && this.#window.due())) this.#wake?.();
  }

  #gapExpired(): boolean {
    return this.#sequencer.waiting > 0 && this.#sequencer.gapAgeMs() >= this.#start.gapTimeoutMs;
  }

  /** Gives up on offsets that never arrived, and handles the events that waited behind them. */
  async #skipGap(): Promise<void> {
    const { skipped, ready } = this.#sequencer.skipGap();
    if (skipped !== undefined) {
      this.#start.logger.warn(
        `Offsets ${skipped[0]}–${skipped[1]} of "${this.#start.options.topic}" never arrived; skipped them ` +
          "(removed by retention, or dead-lettered?)",
      );
      this.#start.options.onGap?.(skipped[0], skipped[1]);
    }
    await this.#handleAll(ready);
  }

  #accept(event: StreamEvent): Promise<void> | undefined {
    const { ready, duplicate } = this.#sequencer.accept(event);
    if (duplicate) {
      // A redelivery of an event already handled: acknowledged once a stored checkpoint covers it.
      this.#skipped += 1;
      if (event.offset <= this.#window.savedOffset) return event.ack();
      this.#window.cover(event);
      return undefined;
    }
    if (ready.length === 0 && this.#sequencer.waiting === 1) {
      const expected = this.#sequencer.expected;
      this.#start.logger.info(
        `Offset ${event.offset} (delivery ${event.deliveryCount}) arrived before offset ${expected}; ` +
          `waiting for ${expected} to handle them in order`,
      );
      this.#start.options.onOutOfOrder?.(expected, event.offset, event.deliveryCount);
    }
    const handling = this.#handleAll(ready);
    if (this.#sequencer.waiting < this.#start.maxInFlight / 2) return handling;
    return handling === undefined ? this.#handBack() : handling.then(() => this.#handBack());
  }

  /** Handles `events` in turn from `from` on (a promise only when a handler returned one). */
  #handleAll(events: readonly StreamEvent[], from = 0): Promise<void> | undefined {
    for (let i = from; i < events.length; i++) {
      const handling = this.#handle(events[i]!);
      if (handling !== undefined) return handling.then(() => this.#handleAll(events, i + 1));
    }
    return undefined;
  }

  /**
   * Held events fill the subscription's window while the missing one is still out: they are handed
   * back for later, so that there is room to receive it.
   */
  async #handBack(): Promise<void> {
    const delayMs = this.#start.ackWaitMs / 2;
    await Promise.all(this.#sequencer.takeWaiting().map((held) => held.nack({ delayMs })));
  }

  /** Hands one event to the handler (a promise only when the handler returned one). */
  #handle(event: StreamEvent): Promise<void> | undefined {
    this.#window.cover(event);
    this.#handledOffset = event.offset;
    let data: T;
    try {
      data = this.#decode(event);
    } catch (error) {
      this.#invalid += 1;
      const reason = error instanceof Error ? error.message : String(error);
      this.#start.logger.warn(`Skipped the event at offset ${event.offset}: ${reason}`);
      this.#start.options.onInvalid?.(event, reason);
      return undefined;
    }
    const key = this.#keyPrefix + event.offset;
    const outbox = this.#outbox;
    const context: HandleContext = {
      event,
      key,
      publish: (topic, input) =>
        outbox.add(topic, input.idempotencyKey ? input : { ...input, idempotencyKey: key }),
    };
    // Typed `void`, so a concise arrow may hand back anything: only a promise is waited for.
    const result: unknown = this.#start.options.handle(data, this.#start.state, context);
    if (!isPromiseLike(result)) {
      this.#handled += 1;
      return undefined;
    }
    return Promise.resolve(result).then(() => void (this.#handled += 1));
  }

  /** Takes a snapshot now (between two handler calls) and starts saving it. */
  #checkpoint(): Promise<void> {
    const checkpoint: ConsumeCheckpoint = {
      state: this.#start.codec.toJSON(this.#start.state),
      lastOffset: this.#handledOffset,
      topicId: this.#start.topicId,
      savedAt: new Date().toISOString(),
    };
    const snapshot: Snapshot = { checkpoint, durable: this.#outbox.take() };
    return this.#window.start(snapshot);
  }

  #fail(error: unknown): void {
    this.#failure ??= { error };
    this.#wake?.();
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === "function";
}

function decodeJson<T>(event: StreamEvent): T {
  try {
    return event.json<T>();
  } catch {
    throw new Error("the payload is not JSON");
  }
}
