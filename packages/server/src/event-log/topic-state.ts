import type { EventStore, NewEvent, StoredEvent, TopicRow } from "./event-store.js";
import type { GroupEngine, GroupSource } from "@weir/protocol/stream";

const RATE_WINDOW_S = 10;
/** Bounds of the in-memory tail of recently committed events (per topic). */
const TAIL_MAX_EVENTS = 65_536;
const TAIL_MAX_BYTES = 32 * 1024 * 1024;

/** One topic in memory: its counters, its groups, and a view of its events for the groups. */
export class TopicState implements GroupSource<StoredEvent> {
  first: number;
  /** One past the last durable event: what groups, readers and summaries see. */
  next: number;
  /** The offset the next published event gets (ahead of `next` while a commit is being synced). */
  nextToAssign: number;
  count: number;
  bytes: number;
  readonly groups = new Map<string, GroupEngine<StoredEvent>>();
  /** Members (subscribers) per group, for the dashboard. */
  readonly consumers = new Map<string, number>();
  readonly #buckets = new Array<number>(RATE_WINDOW_S).fill(0);
  #bucketSecond = 0;
  /**
   * The most recently committed events, contiguous offsets from `#tail[#head]`, so that consumers
   * that keep up are served without reading back from SQLite. Only committed events enter it.
   */
  #tail: StoredEvent[] = [];
  #head = 0;
  #tailBytes = 0;
  /** The mimetype of the last event read from the store, which the next ones most likely share. */
  #mimetype = "";

  constructor(
    readonly row: TopicRow,
    private readonly store: EventStore,
    stats: { first: number; count: number; bytes: number } | undefined,
  ) {
    this.next = row.nextOffset;
    this.nextToAssign = row.nextOffset;
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
    // The store may already hold events of a commit that is not durable yet: never beyond `next`.
    limit = Math.min(limit, this.next - from);
    if (limit <= 0) return [];
    const index = this.#tailIndex(from);
    if (index >= 0) return this.#tail.slice(index, index + limit);
    const events = this.store.read(this.row.name, this.row.id, from, limit, this.#mimetype);
    const last = events[events.length - 1];
    if (last !== undefined) this.#mimetype = last.mimetype;
    return events;
  }
  get(offset: number): StoredEvent | undefined {
    if (offset >= this.next) return undefined;
    const index = this.#tailIndex(offset);
    if (index >= 0) return this.#tail[index];
    return this.store.get(this.row.name, this.row.id, offset);
  }

  /** Adds just-committed events (ascending, contiguous offsets) to the in-memory tail. */
  remember(rows: readonly { offset: number; event: NewEvent }[], createdAt: number): void {
    if (rows.length === 0) return;
    const first = (rows[0] as { offset: number }).offset;
    const last = this.#tail[this.#tail.length - 1];
    if (last === undefined || last.offset + 1 !== first) this.#clearTail();
    for (const { offset, event } of rows) {
      this.#tail.push({
        topic: this.row.name,
        offset,
        id: event.id,
        data: event.data,
        mimetype: event.mimetype,
        typeName: event.typeName,
        typeVersion: event.typeVersion,
        metadata: event.metadata,
        createdAt,
        size: event.size,
      });
      this.#tailBytes += event.size;
    }
    this.#evict(0);
  }

  /** Forgets cached events below `first` (after retention removed them from the store). */
  trimTail(first: number): void {
    this.#evict(first);
  }

  #tailIndex(offset: number): number {
    const head = this.#tail[this.#head];
    if (head === undefined || offset < head.offset || offset < this.first) return -1;
    const index = this.#head + (offset - head.offset);
    return index < this.#tail.length ? index : -1;
  }

  #evict(below: number): void {
    const tail = this.#tail;
    while (this.#head < tail.length) {
      const event = tail[this.#head] as StoredEvent;
      const live = tail.length - this.#head;
      if (event.offset >= below && live <= TAIL_MAX_EVENTS && this.#tailBytes <= TAIL_MAX_BYTES) break;
      this.#tailBytes -= event.size;
      this.#head++;
    }
    if (this.#head === tail.length) this.#clearTail();
    else if (this.#head > 4096 && this.#head * 2 > tail.length) {
      this.#tail = tail.slice(this.#head);
      this.#head = 0;
    }
  }

  #clearTail(): void {
    this.#tail = [];
    this.#head = 0;
    this.#tailBytes = 0;
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
