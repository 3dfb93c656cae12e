/**
 * The consumer-group state machine shared by the embedded event log of the Weir server and the
 * memory backend of `@weir/stream`, so both give a group the same semantics. A group has an ack floor (every offset ≤ floor is done), the
 * set of offsets acknowledged above it, a cursor (next offset never delivered), the pending
 * deliveries with their deadlines, and events waiting for redelivery.
 */

/** The log a group reads. */
export interface GroupSource<E extends { readonly offset: number }> {
  firstOffset(): number;
  lastOffset(): number;
  /** Events with offset ≥ `from`, ascending, at most `limit`. */
  read(from: number, limit: number): E[];
  get(offset: number): E | undefined;
}

/**
 * The ack floor of a new group that starts at `from`: before the first event held (`"earliest"`),
 * at the last one (`"latest"`: only events published later), or just before `offset`.
 *
 * @example new GroupEngine(name, topic, startFloor(topic, { offset: 42 }), onDeadLetter);
 */
export function startFloor(
  source: Pick<GroupSource<{ readonly offset: number }>, "firstOffset" | "lastOffset">,
  from: "earliest" | "latest" | { readonly offset: number },
): number {
  if (from === "earliest") return source.firstOffset() - 1;
  if (from === "latest") return source.lastOffset();
  return Math.max(from.offset, 1) - 1;
}

/** One subscriber of a group. */
export interface GroupMember<E> {
  readonly maxInFlight: number;
  readonly ackWaitMs: number;
  readonly maxDeliver: number;
  inFlight: number;
  deliver(event: E, deliveryCount: number): void;
}

interface Pending<E> {
  member: GroupMember<E>;
  deadline: number;
  /** Deliveries so far, this one included. */
  count: number;
}

/** Called when an event is given up; the group then treats it as acknowledged. */
export type DeadLetterHandler<E> = (event: E, reason: string, deliveryCount: number) => void;

const SWEEP_MS = 10;

export class GroupEngine<E extends { readonly offset: number }> {
  floor: number;
  readonly acked = new Set<number>();
  #cursor: number;
  readonly #pending = new Map<number, Pending<E>>();
  readonly #delayed = new Map<number, number>();
  readonly #ready: number[] = [];
  /** Delivery counts of the events waiting for a redelivery (a pending event carries its own). */
  readonly #deliveries = new Map<number, number>();
  readonly #members: GroupMember<E>[] = [];
  #rr = 0;
  #buffer: E[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(
    readonly name: string,
    private readonly source: GroupSource<E>,
    floor: number,
    private readonly onDeadLetter: DeadLetterHandler<E>,
  ) {
    this.floor = floor;
    this.#cursor = floor + 1;
  }

  get memberCount(): number {
    return this.#members.length;
  }

  get pendingCount(): number {
    return this.#pending.size + this.#delayed.size + this.#ready.length;
  }

  /** Events after the floor that are not acknowledged yet. */
  lag(): number {
    return Math.max(0, this.source.lastOffset() - this.floor - this.acked.size);
  }

  addMember(member: GroupMember<E>): void {
    this.#members.push(member);
    this.pump();
  }

  /** Removes a member; what it held unacknowledged becomes ready for the others at once. */
  removeMember(member: GroupMember<E>): void {
    const index = this.#members.indexOf(member);
    if (index >= 0) this.#members.splice(index, 1);
    for (const [offset, entry] of this.#pending) {
      if (entry.member !== member) continue;
      this.#pending.delete(offset);
      this.#deliveries.set(offset, entry.count);
      this.#insertReady(offset);
    }
    member.inFlight = 0;
    this.pump();
  }

  ack(offset: number): void {
    this.#ack(offset);
    this.pump();
  }

  /**
   * Acknowledges every offset from `first` to `last` (inclusive) that was delivered, then hands out
   * new events once. Offsets never delivered are ignored, so the work is bounded by what is in flight.
   */
  ackRange(first: number, last: number): void {
    const from = Math.max(first, this.floor + 1);
    const to = Math.min(last, this.#cursor - 1);
    for (let offset = from; offset <= to; offset++) this.#ack(offset);
    this.pump();
  }

  #ack(offset: number): void {
    const entry = this.#pending.get(offset);
    if (entry) {
      this.#pending.delete(offset);
      entry.member.inFlight--;
    } else if (this.#delayed.has(offset)) this.#delayed.delete(offset);
    else if (offset <= this.floor || this.acked.has(offset) || offset >= this.#cursor) return;
    this.#markAcked(offset);
  }

  nack(offset: number, delayMs: number): void {
    const entry = this.#pending.get(offset);
    if (!entry) return;
    this.#pending.delete(offset);
    entry.member.inFlight--;
    this.#retryOrGiveUp(offset, entry.count, entry.member.maxDeliver, delayMs, "nacked");
    this.pump();
  }

  /** Offsets removed by retention are no longer owed to anyone. */
  trimmedTo(firstOffset: number): void {
    if (this.floor >= firstOffset - 1) return;
    for (let offset = this.floor + 1; offset < firstOffset && offset < this.#cursor; offset++) {
      this.acked.delete(offset);
      this.#pending.delete(offset);
      this.#delayed.delete(offset);
      this.#deliveries.delete(offset);
    }
    this.floor = firstOffset - 1;
    if (this.#cursor < firstOffset) {
      this.#cursor = firstOffset;
      this.#buffer = [];
    }
    this.#advanceFloor();
  }

  /** Hands events to members with spare capacity: redeliveries first, then new events. */
  pump(): void {
    if (this.#members.length === 0) return;
    const now = Date.now();
    for (;;) {
      const member = this.#pickMember();
      if (!member) break;
      const event = this.#nextEvent();
      if (!event) break;
      let count = 1;
      const before = this.#deliveries.size === 0 ? undefined : this.#deliveries.get(event.offset);
      if (before !== undefined) {
        count = before + 1;
        this.#deliveries.delete(event.offset);
      }
      this.#pending.set(event.offset, { member, deadline: now + member.ackWaitMs, count });
      member.inFlight++;
      member.deliver(event, count);
    }
    this.#armTimer();
  }

  /** Stops the redelivery timer (the group stays usable). */
  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  sweep(now = Date.now()): void {
    for (const [offset, entry] of this.#pending) {
      if (entry.deadline > now) break;
      this.#pending.delete(offset);
      entry.member.inFlight--;
      this.#retryOrGiveUp(
        offset,
        entry.count,
        entry.member.maxDeliver,
        0,
        `not acknowledged within ${entry.member.ackWaitMs} ms`,
      );
    }
    for (const [offset, readyAt] of this.#delayed) {
      if (readyAt > now) continue;
      this.#delayed.delete(offset);
      this.#insertReady(offset);
    }
    this.pump();
  }

  #retryOrGiveUp(offset: number, count: number, maxDeliver: number, delayMs: number, why: string): void {
    if (count >= maxDeliver) {
      const event = this.source.get(offset);
      this.#markAcked(offset);
      if (event)
        this.onDeadLetter(event, `${why} after ${count} deliveries (maxDeliver ${maxDeliver})`, count);
      return;
    }
    this.#deliveries.set(offset, count);
    if (delayMs > 0) this.#delayed.set(offset, Date.now() + delayMs);
    else this.#insertReady(offset);
  }

  #markAcked(offset: number): void {
    this.#deliveries.delete(offset);
    if (offset === this.floor + 1) {
      this.floor = offset;
      this.#advanceFloor();
    } else if (offset > this.floor) this.acked.add(offset);
  }

  #advanceFloor(): void {
    if (this.acked.size === 0) return;
    while (this.acked.delete(this.floor + 1)) this.floor++;
  }

  #insertReady(offset: number): void {
    const ready = this.#ready;
    let lo = 0;
    let hi = ready.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((ready[mid] as number) < offset) lo = mid + 1;
      else hi = mid;
    }
    if (ready[lo] !== offset) ready.splice(lo, 0, offset);
  }

  #pickMember(): GroupMember<E> | undefined {
    const members = this.#members;
    for (let i = 0; i < members.length; i++) {
      const member = members[(this.#rr + i) % members.length] as GroupMember<E>;
      if (member.inFlight < member.maxInFlight) {
        this.#rr = (this.#rr + i + 1) % members.length;
        return member;
      }
    }
    return undefined;
  }

  #nextEvent(): E | undefined {
    while (this.#ready.length > 0) {
      const offset = this.#ready.shift() as number;
      if (offset <= this.floor || this.acked.has(offset)) continue;
      const event = this.source.get(offset);
      if (event) return event;
      this.#markAcked(offset);
    }
    for (;;) {
      if (this.#buffer.length === 0) {
        const first = this.source.firstOffset();
        if (this.#cursor < first) this.#cursor = first;
        if (this.#cursor > this.source.lastOffset()) return undefined;
        this.#buffer = this.source.read(this.#cursor, 1024).reverse();
        if (this.#buffer.length === 0) return undefined;
      }
      const event = this.#buffer.pop() as E;
      this.#cursor = event.offset + 1;
      if (event.offset <= this.floor || (this.acked.size > 0 && this.acked.has(event.offset))) continue;
      return event;
    }
  }

  #armTimer(): void {
    const busy = this.#pending.size > 0 || this.#delayed.size > 0;
    if (busy && !this.#timer) {
      this.#timer = setInterval(() => this.sweep(), SWEEP_MS);
      this.#timer.unref();
    } else if (!busy && this.#timer) this.stop();
  }
}
