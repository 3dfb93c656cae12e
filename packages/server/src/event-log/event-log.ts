import { EventLogError } from "./event-log-error.js";
import { EventStore } from "./event-store.js";
import type { Durability, NewEvent, StoredEvent, SyncFile } from "./event-store.js";
import {
  GroupEngine,
  deadLetterKey,
  deadLetterMetadata,
  deadLetterTopic,
  describeTopic,
  ephemeralGroupName,
  isEphemeralGroup,
  startFloor,
} from "@weir/protocol/stream";
import type { TopicSummary, WireStart } from "@weir/protocol/stream";
import { TopicState } from "./topic-state.js";

/** The answer to one publish request once its transaction committed. */
export interface PublishResult {
  readonly offsets: number[];
  /** Index → stored id, for events that were duplicates of an idempotency key. */
  readonly duplicates: Record<string, string> | undefined;
  readonly committedAt: number;
}

interface PublishJob {
  readonly topic: TopicState;
  readonly events: readonly NewEvent[];
  readonly done: (result: PublishResult | EventLogError) => void;
}

/** What one group commit added to a topic. */
interface Tally {
  next: number;
  count: number;
  bytes: number;
  rows: { offset: number; event: NewEvent }[];
}

/** A committed transaction waiting to be durable before it is acknowledged and delivered. */
interface Commit {
  readonly jobs: PublishJob[];
  readonly results: PublishResult[];
  readonly callbacks: (() => void)[];
  readonly touched: Map<TopicState, Tally>;
  readonly now: number;
}

/** Options of {@link EventLog}. */
export interface EventLogOptions {
  readonly dataDir: string;
  /** @default "FULL" */
  readonly durability?: Durability;
  /** How long publishes are collected before one transaction commits them. @default 1 */
  readonly commitDelayMs?: number;
  /** How often retention runs. @default 1000 */
  readonly retentionIntervalMs?: number;
  /** How the WAL is synced (tests slow it down or make it fail). @default fs.fdatasync */
  readonly syncFile?: SyncFile;
}

/**
 * The embedded event log: topics in SQLite, group commit, consumer groups, retention and dead
 * letters. Connections (WebSocket) and REST routes are thin layers over this class.
 */
export class EventLog {
  readonly #store: EventStore;
  readonly #topics = new Map<string, TopicState>();
  #queue: PublishJob[] = [];
  #afterCommit: (() => void)[] = [];
  readonly #dirtyGroups = new Set<GroupEngine<StoredEvent>>();
  readonly #groupTopic = new WeakMap<GroupEngine<StoredEvent>, TopicState>();
  #timer: NodeJS.Timeout | undefined;
  /** Commits waiting for the next WAL sync, and those the sync in flight covers. */
  #unsynced: Commit[] = [];
  #syncing: Commit[] | undefined;
  readonly #retention: NodeJS.Timeout;
  readonly #commitDelayMs: number;
  #closed = false;
  /** Called with a topic's name after it was deleted. */
  readonly topicDeletedListeners = new Set<(name: string) => void>();

  constructor(options: EventLogOptions) {
    this.#store = new EventStore(options.dataDir, options.durability ?? "FULL", options.syncFile);
    this.#commitDelayMs = options.commitDelayMs ?? 1;
    const stats = this.#store.topicStats();
    for (const row of this.#store.topics()) {
      const topic = new TopicState(row, this.#store, stats.get(row.id));
      this.#topics.set(row.name, topic);
      for (const saved of this.#store.groups(row.id)) {
        const group = this.#newGroup(topic, saved.name, saved.floor);
        for (const offset of saved.acked) group.acked.add(offset);
      }
    }
    this.#retention = setInterval(() => this.runRetention(), options.retentionIntervalMs ?? 1000);
    this.#retention.unref();
  }

  topic(name: string): TopicState {
    const topic = this.#topics.get(name);
    if (!topic) throw EventLogError.topicNotFound(name, [...this.#topics.keys()]);
    return topic;
  }

  topicNames(): string[] {
    return [...this.#topics.keys()];
  }

  createTopic(
    name: string,
    options: { maxAgeMs?: number; maxBytes?: number },
    ifMissing: boolean,
  ): TopicSummary {
    const existing = this.#topics.get(name);
    if (existing) {
      if (ifMissing) return this.summary(existing);
      throw EventLogError.topicExists(name);
    }
    const row = this.#store.createTopic(name, options.maxAgeMs ?? null, options.maxBytes ?? null, Date.now());
    const topic = new TopicState(row, this.#store, undefined);
    this.#topics.set(name, topic);
    return this.summary(topic);
  }

  deleteTopic(name: string): TopicState {
    const topic = this.topic(name);
    this.#flushAndSyncNow();
    for (const group of topic.groups.values()) {
      group.stop();
      this.#dirtyGroups.delete(group);
    }
    this.#store.deleteTopic(topic.row.id);
    this.#topics.delete(name);
    for (const listener of this.topicDeletedListeners) listener(name);
    return topic;
  }

  /** The topic as the stream's answers and the REST routes describe it (the contract of `@weir/protocol`). */
  summary(topic: TopicState): TopicSummary {
    const { groups, ...info } = describeTopic(
      {
        name: topic.name,
        topicId: topic.row.uid,
        eventCount: topic.count,
        firstOffset: topic.first,
        lastOffset: topic.lastOffset(),
        bytes: topic.bytes,
        maxAgeMs: topic.row.maxAgeMs,
        maxBytes: topic.row.maxBytes,
      },
      topic.groups.values(),
    );
    return {
      ...info,
      createdAt: new Date(topic.row.createdAt).toISOString(),
      publishRate: topic.publishRate(Date.now()),
      groups: groups.map((group) => ({ ...group, consumers: topic.consumers.get(group.name) ?? 0 })),
    };
  }

  /** Queues events for the next group commit; `done` runs once they are durable. */
  publish(
    topic: TopicState,
    events: readonly NewEvent[],
    done: (result: PublishResult | EventLogError) => void,
  ): void {
    if (this.#closed) {
      done(
        EventLogError.unavailable(
          "The event log is closing (the server is shutting down). Publish again once it is back.",
        ),
      );
      return;
    }
    this.#queue.push({ topic, events, done });
    this.#schedule();
  }

  /** Runs `callback` after the next commit (which also persists group positions). */
  afterCommit(callback: () => void): void {
    this.#afterCommit.push(callback);
    this.#schedule();
  }

  /** The group `name` of `topic`, created at `from` when new; `undefined` name → an ephemeral group. */
  group(topic: TopicState, name: string | undefined, from: WireStart): GroupEngine<StoredEvent> {
    const existing = name === undefined ? undefined : topic.groups.get(name);
    if (existing) return existing;
    const group = this.#newGroup(topic, name ?? ephemeralGroupName(), startFloor(topic, from));
    if (name !== undefined) this.groupChanged(group);
    return group;
  }

  /** Removes an ephemeral group. */
  dropGroup(group: GroupEngine<StoredEvent>): void {
    group.stop();
    this.#groupTopic.get(group)?.groups.delete(group.name);
  }

  topicOf(group: GroupEngine<StoredEvent>): TopicState | undefined {
    return this.#groupTopic.get(group);
  }

  /** Marks a group's position for saving in the next commit. */
  groupChanged(group: GroupEngine<StoredEvent>): void {
    if (isEphemeralGroup(group.name)) return;
    this.#dirtyGroups.add(group);
    this.#schedule();
  }

  /** Stored events from `from` (or the most recent `limit` when `from` is undefined). */
  recent(topic: TopicState, from: number | undefined, limit: number): StoredEvent[] {
    const start = from ?? Math.max(topic.firstOffset(), topic.lastOffset() - limit + 1);
    return topic.read(start, limit);
  }

  runRetention(): void {
    const now = Date.now();
    for (const topic of this.#topics.values()) {
      const { maxAgeMs, maxBytes } = topic.row;
      if ((maxAgeMs === null && maxBytes === null) || topic.count === 0) continue;
      const result = this.#store.trim(topic.row.id, topic.first, topic.bytes, maxAgeMs, maxBytes, now);
      if (result.removedCount === 0) continue;
      topic.first = result.first;
      topic.trimTail(result.first);
      topic.count -= result.removedCount;
      topic.bytes -= result.removedBytes;
      for (const group of topic.groups.values()) {
        group.trimmedTo(topic.firstOffset());
        this.groupChanged(group);
      }
    }
  }

  #newGroup(topic: TopicState, name: string, floor: number): GroupEngine<StoredEvent> {
    const group = new GroupEngine<StoredEvent>(name, topic, floor, (event, reason, count) =>
      this.#deadLetter(event, reason, count),
    );
    topic.groups.set(name, group);
    this.#groupTopic.set(group, topic);
    return group;
  }

  #deadLetter(event: StoredEvent, reason: string, count: number): void {
    const target = this.#topics.get(deadLetterTopic(event.topic)) ?? this.#createDeadLetter(event.topic);
    const metadata = deadLetterMetadata(
      event.metadata === null ? {} : (JSON.parse(event.metadata) as Record<string, string>),
      reason,
      event.topic,
      event.offset,
      count,
    );
    const moved: NewEvent = {
      id: event.id,
      data: event.data,
      mimetype: event.mimetype,
      typeName: event.typeName,
      typeVersion: event.typeVersion,
      metadata: JSON.stringify(metadata),
      idempotencyKey: deadLetterKey(event.topic, event.offset),
      size: event.size,
    };
    this.publish(target, [moved], () => undefined);
  }

  #createDeadLetter(topic: string): TopicState {
    this.createTopic(deadLetterTopic(topic), {}, true);
    return this.topic(deadLetterTopic(topic));
  }

  #schedule(): void {
    if (this.#timer || this.#closed) return;
    this.#timer = setTimeout(() => this.#flush(), this.#commitDelayMs);
  }

  /**
   * One group commit: every queued publish and changed group position in one transaction. Its
   * publishes are acknowledged, and its events delivered, once the commit is durable ({@link #sync}).
   */
  #flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const jobs = this.#queue;
    const callbacks = this.#afterCommit;
    const groups = [...this.#dirtyGroups];
    this.#queue = [];
    this.#afterCommit = [];
    this.#dirtyGroups.clear();
    if (jobs.length === 0 && groups.length === 0 && callbacks.length === 0) return;
    const now = Date.now();
    const touched = new Map<TopicState, Tally>();
    const results: PublishResult[] = [];
    try {
      this.#store.transaction(() => {
        const seenKeys = new Map<string, { seq: number; id: string }>();
        for (const job of jobs) {
          const topic = job.topic;
          let tally = touched.get(topic);
          if (!tally) {
            tally = { next: topic.nextToAssign, count: 0, bytes: 0, rows: [] };
            touched.set(topic, tally);
          }
          const current = tally;
          const rows = current.rows;
          const offsets: number[] = [];
          let duplicates: Record<string, string> | undefined;
          job.events.forEach((event, index) => {
            if (event.idempotencyKey !== null) {
              const mapKey = `${topic.row.id}\u0000${event.idempotencyKey}`;
              const seen = seenKeys.get(mapKey) ?? this.#store.findKey(topic.row.id, event.idempotencyKey);
              if (seen) {
                offsets.push(seen.seq);
                (duplicates ??= {})[String(index)] = seen.id;
                return;
              }
              seenKeys.set(mapKey, { seq: current.next, id: event.id });
            }
            rows.push({ offset: current.next, event });
            offsets.push(current.next);
            current.next++;
            current.count++;
            current.bytes += event.size;
          });
          results.push({ offsets, duplicates, committedAt: now });
        }
        for (const [topic, tally] of touched) {
          if (tally.count === 0) continue;
          this.#store.insertMany(topic.row.id, tally.rows, now);
          this.#store.setNextOffset(topic.row.id, tally.next);
        }
        for (const group of groups) {
          const topic = this.#groupTopic.get(group);
          if (topic && this.#topics.get(topic.name) === topic)
            this.#store.saveGroup(
              topic.row.id,
              group.name,
              group.floor,
              [...group.acked].slice(0, 10_000),
              now,
            );
        }
      });
    } catch (error) {
      const failure = EventLogError.unavailable(
        `The event log could not commit (${(error as Error).message}). Check the disk under the ` +
          "server's data directory, then publish again.",
        error,
      );
      for (const job of jobs) job.done(failure);
      for (const callback of callbacks) callback();
      return;
    }
    for (const [topic, tally] of touched) topic.nextToAssign = tally.next;
    // A commit that only moved group positions waits for nobody: the next sync covers it.
    if (jobs.length === 0 && callbacks.length === 0) return;
    this.#unsynced.push({ jobs, results, callbacks, touched, now });
    this.#sync();
  }

  /**
   * Makes the commits made so far durable, then acknowledges them and delivers their events, in
   * commit order. One sync is in flight at a time; commits made meanwhile wait for the next one,
   * which covers them all (the WAL is one file).
   */
  #sync(): void {
    if (this.#syncing !== undefined || this.#unsynced.length === 0) return;
    const commits = this.#unsynced;
    this.#unsynced = [];
    if (!this.#store.syncsCommits) {
      for (const commit of commits) this.#complete(commit, undefined);
      return;
    }
    this.#syncing = commits;
    this.#store.sync((error) => {
      if (this.#syncing !== commits) return; // close() completed them already
      this.#syncing = undefined;
      const failure =
        error === undefined
          ? undefined
          : EventLogError.unavailable(
              `The event log could not sync its file to disk (${error.message}); the events may not be ` +
                "durable. Check the disk under the server's data directory, then publish again.",
              error,
            );
      for (const commit of commits) this.#complete(commit, failure);
      this.#sync();
    });
  }

  /** Commits what is queued and completes every commit, syncing on this thread (closing, deleting a topic). */
  #flushAndSyncNow(): void {
    this.#flush();
    const pending = [...(this.#syncing ?? []), ...this.#unsynced];
    this.#syncing = undefined;
    this.#unsynced = [];
    if (pending.length === 0) return;
    let failure: EventLogError | undefined;
    try {
      if (this.#store.syncsCommits) this.#store.syncNow();
    } catch (error) {
      failure = EventLogError.unavailable(
        `The event log could not sync its file to disk (${(error as Error).message}); the events may ` +
          "not be durable. Check the disk under the server's data directory, then publish again.",
        error,
      );
    }
    for (const commit of pending) this.#complete(commit, failure);
  }

  /** A durable commit: its events become visible to groups, its publishers get their answers. */
  #complete(commit: Commit, failure: EventLogError | undefined): void {
    const { touched, now } = commit;
    for (const [topic, tally] of touched) {
      if (tally.count === 0) continue;
      if (topic.count === 0) topic.first = topic.next;
      topic.remember(tally.rows, now);
      topic.next = tally.next;
      topic.count += tally.count;
      topic.bytes += tally.bytes;
      topic.countPublished(tally.count, now);
    }
    commit.jobs.forEach((job, index) => job.done(failure ?? (commit.results[index] as PublishResult)));
    for (const callback of commit.callbacks) callback();
    for (const topic of touched.keys()) for (const group of topic.groups.values()) group.pump();
  }

  /** Commits what is queued, stops timers and closes the database. */
  close(): void {
    if (this.#closed) return;
    this.#flushAndSyncNow();
    this.#closed = true;
    clearInterval(this.#retention);
    for (const topic of this.#topics.values()) for (const group of topic.groups.values()) group.stop();
    this.#store.close();
  }
}
