import type { StreamEvent } from "@weir/stream";

import type { ConsumeCheckpoint } from "./consume-checkpoint.js";

/** A checkpoint to save, taken between two events, and the publishes that must be durable first. */
export interface Snapshot {
  readonly checkpoint: ConsumeCheckpoint;
  readonly durable: readonly Promise<unknown>[];
}

/** Settings of a {@link CheckpointWindow}. */
export interface CheckpointWindowOptions {
  /** Checkpoint after this many events… */
  readonly every: number;
  /** …or when the oldest event not yet in a checkpoint is this old. */
  readonly intervalMs: number;
  /** Stores a checkpoint; resolves once it is stored. */
  readonly save: (checkpoint: ConsumeCheckpoint) => Promise<unknown>;
  /** After a checkpoint is stored and the events it covers are acknowledged. */
  readonly saved: (checkpoint: ConsumeCheckpoint) => void;
  /** A save (or the publishes or acks before and after it) failed. */
  readonly failed: (error: unknown) => void;
  /** A save ended, stored or not: the next one may start. */
  readonly settled: () => void;
}

/**
 * The events taken in since the last checkpoint, and the one checkpoint being saved. Events are
 * acknowledged only after a stored checkpoint covers them. One save runs at a time and learning
 * goes on meanwhile: the next checkpoint, started when this one is stored, covers everything
 * taken in meanwhile, so a slow store never stalls the consumer.
 *
 * @example
 * window.cover(event);
 * if (!window.saving && window.due()) void window.start(snapshot());
 */
export class CheckpointWindow {
  readonly #options: CheckpointWindowOptions;
  #unsaved: StreamEvent[] = [];
  #oldestAt = 0;
  #saving: Promise<void> | undefined;
  #savedOffset: number;

  /** `savedOffset`: the offset the checkpoint already stored covers. */
  constructor(options: CheckpointWindowOptions, savedOffset: number) {
    this.#options = options;
    this.#savedOffset = savedOffset;
  }

  /** The offset the last stored checkpoint covers. */
  get savedOffset(): number {
    return this.#savedOffset;
  }

  /** Events no stored or started checkpoint covers yet. */
  get pending(): number {
    return this.#unsaved.length;
  }

  /** A save is in flight. */
  get saving(): boolean {
    return this.#saving !== undefined;
  }

  /** Takes in an event: it is acknowledged once a stored checkpoint covers it. */
  cover(event: StreamEvent): void {
    if (this.#unsaved.length === 0) this.#oldestAt = performance.now();
    this.#unsaved.push(event);
  }

  /** Enough events, or old enough ones, wait for a checkpoint. */
  due(): boolean {
    const pending = this.#unsaved.length;
    return (
      pending >= this.#options.every ||
      (pending > 0 && performance.now() - this.#oldestAt >= this.#options.intervalMs)
    );
  }

  /**
   * Saves `snapshot`, covering every event taken in so far, then acknowledges them. Call it only
   * when no save is in flight; the promise never rejects (failures go to `failed`).
   */
  start(snapshot: Snapshot): Promise<void> {
    if (this.#saving !== undefined) throw new Error("CheckpointWindow.start: a save is in flight");
    const covered = this.#unsaved;
    this.#unsaved = [];
    const saving = this.#save(snapshot, covered)
      .catch(this.#options.failed)
      .finally(() => {
        this.#saving = undefined;
        this.#options.settled();
      });
    this.#saving = saving;
    return saving;
  }

  /** Resolves when no save is in flight. */
  async settled(): Promise<void> {
    await this.#saving;
  }

  async #save({ checkpoint, durable }: Snapshot, covered: StreamEvent[]): Promise<void> {
    await Promise.all(durable);
    await this.#options.save(checkpoint);
    this.#savedOffset = checkpoint.lastOffset;
    await Promise.all(covered.map((event) => event.ack()));
    this.#options.saved(checkpoint);
  }
}
