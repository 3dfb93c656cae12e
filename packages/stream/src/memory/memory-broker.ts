import { randomUUID } from "node:crypto";

import { TopicExistsError, TopicNotFoundError } from "../errors.js";
import type { EncodedEvent } from "../core/encode-event.js";
import type { PublishAck, StartPosition, TopicInfo, TopicOptions } from "../types.js";
import type { GroupSource } from "@weir/protocol/stream";
import {
  DEFAULT_DEDUPE_WINDOW_MS,
  GroupEngine,
  deadLetterKey,
  deadLetterMetadata,
  deadLetterTopic,
  describeTopic,
  startFloor,
} from "@weir/protocol/stream";

/** An event as the memory backend keeps it. */
export interface MemoryEvent {
  readonly offset: number;
  readonly id: string;
  readonly topic: string;
  readonly data: Uint8Array;
  readonly mimetype: string;
  readonly typeName: string | undefined;
  readonly typeVersion: number | undefined;
  readonly metadata: Readonly<Record<string, string>>;
  readonly createdAt: number;
  readonly size: number;
}

class MemoryTopic implements GroupSource<MemoryEvent> {
  events: MemoryEvent[] = [];
  nextOffset = 1;
  bytes = 0;
  readonly dedupe = new Map<string, { offset: number; id: string; at: number }>();
  readonly groups = new Map<string, GroupEngine<MemoryEvent>>();
  /** This incarnation of the topic: a topic created again under the same name gets another. */
  readonly topicId = randomUUID();
  /** Called once the topic is deleted (its subscriptions end). */
  readonly deletedListeners = new Set<() => void>();

  constructor(
    readonly name: string,
    readonly options: TopicOptions,
  ) {}

  firstOffset(): number {
    return this.events[0]?.offset ?? this.nextOffset;
  }
  lastOffset(): number {
    return this.nextOffset - 1;
  }
  read(from: number, limit: number): MemoryEvent[] {
    const start = Math.max(0, from - this.firstOffset());
    return this.events.slice(start, start + limit);
  }
  get(offset: number): MemoryEvent | undefined {
    return this.events[offset - this.firstOffset()];
  }

  trim(now: number): void {
    const { maxAgeMs, maxBytes } = this.options;
    let drop = 0;
    let bytes = this.bytes;
    while (drop < this.events.length) {
      const event = this.events[drop] as MemoryEvent;
      const old = maxAgeMs !== undefined && event.createdAt < now - maxAgeMs;
      const big = maxBytes !== undefined && bytes > maxBytes;
      if (!old && !big) break;
      bytes -= event.size;
      drop++;
    }
    if (drop > 0) {
      this.events = this.events.slice(drop);
      this.bytes = bytes;
      for (const group of this.groups.values()) group.trimmedTo(this.firstOffset());
    }
    const window = this.options.dedupeWindowMs ?? DEFAULT_DEDUPE_WINDOW_MS;
    for (const [key, entry] of this.dedupe) {
      if (entry.at >= now - window) break;
      this.dedupe.delete(key);
    }
  }

  info(): TopicInfo {
    this.trim(Date.now());
    return describeTopic(
      {
        name: this.name,
        topicId: this.topicId,
        eventCount: this.events.length,
        firstOffset: this.firstOffset(),
        lastOffset: this.lastOffset(),
        bytes: this.bytes,
        maxAgeMs: this.options.maxAgeMs,
        maxBytes: this.options.maxBytes,
      },
      this.groups.values(),
    );
  }
}

/**
 * An in-process event log with the full contract (groups, redelivery, dead letters, dedupe).
 * Brokers are shared by URL inside one process, so `connect({ url: "memory:" })` twice sees the same topics.
 */
export class MemoryBroker {
  static readonly #brokers = new Map<string, MemoryBroker>();
  readonly #topics = new Map<string, MemoryTopic>();

  /** The broker registered under `name` ("" for the default `memory:`). */
  static named(name: string): MemoryBroker {
    let broker = MemoryBroker.#brokers.get(name);
    if (!broker) {
      broker = new MemoryBroker();
      MemoryBroker.#brokers.set(name, broker);
    }
    return broker;
  }

  topic(name: string): MemoryTopic {
    const topic = this.#topics.get(name);
    if (!topic) throw new TopicNotFoundError(name, [...this.#topics.keys()]);
    return topic;
  }

  createTopic(name: string, options: TopicOptions, ifMissing: boolean): TopicInfo {
    const existing = this.#topics.get(name);
    if (existing) {
      if (ifMissing) return existing.info();
      throw new TopicExistsError(name);
    }
    const topic = new MemoryTopic(name, options);
    this.#topics.set(name, topic);
    return topic.info();
  }

  listTopics(): TopicInfo[] {
    return [...this.#topics.values()].map((topic) => topic.info());
  }

  deleteTopic(name: string): void {
    const topic = this.topic(name);
    for (const group of topic.groups.values()) group.stop();
    this.#topics.delete(name);
    for (const listener of topic.deletedListeners) listener();
  }

  /** Names of the topics, for "does not exist" errors. */
  topicNames(): string[] {
    return [...this.#topics.keys()];
  }

  publish(name: string, events: readonly EncodedEvent[]): PublishAck[] {
    const topic = this.topic(name);
    const now = Date.now();
    topic.trim(now);
    const acks: PublishAck[] = [];
    for (const event of events) {
      if (event.idempotencyKey !== undefined) {
        const seen = topic.dedupe.get(event.idempotencyKey);
        if (seen) {
          acks.push({
            id: seen.id,
            topic: name,
            offset: seen.offset,
            committedAt: new Date(now),
            duplicate: true,
          });
          continue;
        }
      }
      const stored: MemoryEvent = {
        offset: topic.nextOffset++,
        id: event.id,
        topic: name,
        data: event.data,
        mimetype: event.mimetype,
        typeName: event.typeName,
        typeVersion: event.typeVersion,
        metadata: { ...event.metadata },
        createdAt: now,
        size: event.size,
      };
      topic.events.push(stored);
      topic.bytes += stored.size;
      if (event.idempotencyKey !== undefined)
        topic.dedupe.set(event.idempotencyKey, { offset: stored.offset, id: stored.id, at: now });
      acks.push({
        id: stored.id,
        topic: name,
        offset: stored.offset,
        committedAt: new Date(now),
        duplicate: false,
      });
    }
    topic.trim(now);
    for (const group of topic.groups.values()) group.pump();
    return acks;
  }

  /** The group named `name` (created at `from` when new); an ephemeral reader's is named by `ephemeralGroupName()`. */
  group(topicName: string, name: string, from: StartPosition): GroupEngine<MemoryEvent> {
    const topic = this.topic(topicName);
    let group = topic.groups.get(name);
    if (!group) {
      group = new GroupEngine<MemoryEvent>(name, topic, startFloor(topic, from), (event, reason, count) =>
        this.#deadLetter(event, reason, count),
      );
      topic.groups.set(name, group);
    }
    return group;
  }

  dropGroup(topicName: string, name: string): void {
    const topic = this.#topics.get(topicName);
    topic?.groups.get(name)?.stop();
    topic?.groups.delete(name);
  }

  #deadLetter(event: MemoryEvent, reason: string, count: number): void {
    const target = deadLetterTopic(event.topic);
    this.createTopic(target, {}, true);
    this.publish(target, [
      {
        id: event.id,
        data: event.data,
        text: undefined,
        mimetype: event.mimetype,
        typeName: event.typeName,
        typeVersion: event.typeVersion,
        metadata: deadLetterMetadata(event.metadata, reason, event.topic, event.offset, count),
        idempotencyKey: deadLetterKey(event.topic, event.offset),
        size: event.size,
      },
    ]);
  }
}
