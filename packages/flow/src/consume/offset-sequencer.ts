/** What the sequencer made of one delivery. */
export interface Sequenced<E> {
  /** Events now due, in offset order (the delivered one and any buffered ones it unblocked). */
  readonly ready: E[];
  /** The delivery is of an offset already passed: a redelivery of something already handed out. */
  readonly duplicate: boolean;
}

/**
 * Hands out events strictly in offset order, one offset after the other, even when the stream
 * delivers out of order (a delivery lost by a client comes back only after the ack wait, behind
 * later events). Events ahead of a gap wait in a buffer; an offset below the next expected one is
 * a duplicate. So "every offset ≤ n has been handed out" stays true, which is what makes a
 * checkpoint's `lastOffset` safe to skip up to after a restart.
 *
 * @example
 * const sequencer = new OffsetSequencer<StreamEvent>(1);
 * const { ready, duplicate } = sequencer.accept(event);
 */
export class OffsetSequencer<E extends { readonly offset: number }> {
  private next: number;
  private readonly buffer = new Map<number, E>();
  private gapSince: number | undefined;

  /** @param next the first offset to hand out */
  constructor(next: number) {
    this.next = next;
  }

  /** The offset handed out next. */
  get expected(): number {
    return this.next;
  }

  /** Events waiting behind a gap. */
  get waiting(): number {
    return this.buffer.size;
  }

  /** How long the current gap has been open, in ms (0 when there is none). */
  gapAgeMs(now = performance.now()): number {
    return this.gapSince === undefined ? 0 : now - this.gapSince;
  }

  accept(event: E): Sequenced<E> {
    if (event.offset < this.next || this.buffer.has(event.offset)) return { ready: [], duplicate: true };
    if (event.offset > this.next) {
      this.buffer.set(event.offset, event);
      this.gapSince ??= performance.now();
      return { ready: [], duplicate: false };
    }
    const ready = [event];
    this.next += 1;
    this.release(ready);
    return { ready, duplicate: false };
  }

  /** Gives up on the missing offsets: jumps to the lowest buffered one and returns what is due. */
  skipGap(): { skipped: [number, number] | undefined; ready: E[] } {
    if (this.buffer.size === 0) return { skipped: undefined, ready: [] };
    const lowest = Math.min(...this.buffer.keys());
    const skipped: [number, number] = [this.next, lowest - 1];
    this.next = lowest;
    const ready: E[] = [];
    this.release(ready);
    return { skipped, ready };
  }

  /** Empties the buffer (e.g. to hand the events back to the stream), keeping the position. */
  takeWaiting(): E[] {
    const events = [...this.buffer.values()];
    this.buffer.clear();
    this.gapSince = undefined;
    return events;
  }

  private release(ready: E[]): void {
    for (let event = this.buffer.get(this.next); event !== undefined; event = this.buffer.get(this.next)) {
      this.buffer.delete(this.next);
      ready.push(event);
      this.next += 1;
    }
    this.gapSince = this.buffer.size === 0 ? undefined : performance.now();
  }
}
