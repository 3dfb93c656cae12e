import type { EventStore, StoredEvent, TopicRow } from "./event-store.js";
import type { GroupEngine, GroupSource } from "@weir/protocol/stream";

const RATE_WINDOW_S = 10;

/** One topic in memory: its counters, its groups, and a view of its events for the groups. */
export class TopicState implements GroupSource<StoredEvent> {
  first: number;
  next: number;
  count: number;
  bytes: number;
  readonly groups = new Map<string, GroupEngine<StoredEvent>>();
  /** Members (subscribers) per group, for the dashboard. */
  readonly consumers = new Map<string, number>();
  readonly #buckets = new Array<number>(RATE_WINDOW_S).fill(0);
  #bucketSecond = 0;

  constructor(
    readonly row: TopicRow,
    private readonly store: EventStore,
    stats: { first: number; count: number; bytes: number } | undefined,
  ) {
    this.next = row.nextOffset;
    this.first = stats?.first ?? row.nextOffset;
    this.count = stats?.count ?? 0;
    this.bytes = stats?.bytes ?? 0;
  }

  get name(): string {
    return this.row.name;
  }

  firstOffset(): number {
    return this.count === 0 ? this.next : this.first;
  }
  lastOffset(): number {
    return this.next - 1;
  }
  read(from: number, limit: number): StoredEvent[] {
    return this.store.read(this.row.name, this.row.id, from, limit);
  }
  get(offset: number): StoredEvent | undefined {
    return this.store.get(this.row.name, this.row.id, offset);
  }

  /** Counts `n` published events into the rate window. */
  countPublished(n: number, now: number): void {
    this.#rotate(now);
    const slot = this.#bucketSecond % RATE_WINDOW_S;
    this.#buckets[slot] = (this.#buckets[slot] ?? 0) + n;
  }

  /** Events per second over the last 10 seconds. */
  publishRate(now: number): number {
    this.#rotate(now);
    return this.#buckets.reduce((sum, value) => sum + value, 0) / RATE_WINDOW_S;
  }

  #rotate(now: number): void {
    const second = Math.floor(now / 1000);
    if (second === this.#bucketSecond) return;
    const steps = Math.min(RATE_WINDOW_S, second - this.#bucketSecond);
    for (let i = 1; i <= steps; i++) this.#buckets[(this.#bucketSecond + i) % RATE_WINDOW_S] = 0;
    this.#bucketSecond = second;
  }
}
