/**
 * What a topic holds, in one shape for everyone who describes or reads one: `Stream.topicInfo()` and
 * `listTopics()` of every backend ({@link TopicInfo}), and the Weir server's event log, whose
 * summaries add what only it knows ({@link TopicSummary}) — in the stream's `create`/`list`/`info`
 * answers and `GET /api/topics`, `GET /api/topics/:name` (the dashboard, `weir topics`). The zod
 * schema of the REST answer is `topicSummarySchema` in `@weir/protocol`.
 */

import type { GroupEngine } from "./group-engine.js";
import { isEphemeralGroup } from "./names.js";

/** A consumer group of a topic. */
export interface GroupInfo {
  readonly name: string;
  /** Every event at or below this offset is acknowledged. */
  readonly ackedOffset: number;
  /** Events delivered and not yet acknowledged. */
  readonly pending: number;
  /** Events after `ackedOffset` still to be acknowledged. */
  readonly lag: number;
}

/** What a topic holds. */
export interface TopicInfo {
  readonly name: string;
  /**
   * The identity of this incarnation of the topic: an opaque string, compared only for equality.
   * It stays the same across reconnects and restarts of the backend, and changes when the topic is
   * deleted and created again (whose offsets then start over at 1) — also when the embedded log
   * starts on a new data directory. Store it with any offset kept outside the stream (a
   * checkpoint), and refuse the offset when the topic's `topicId` differs.
   * Memory: a random UUID per topic. Embedded: a random UUID stored with the topic. NATS: the
   * JetStream stream's `created` timestamp.
   */
  readonly topicId: string;
  /** Events the topic holds now (retention removes the oldest). */
  readonly eventCount: number;
  /** 0 when empty. */
  readonly firstOffset: number;
  /** 0 when nothing was ever published. */
  readonly lastOffset: number;
  /** Bytes of the events held, each counted as `eventSize` counts it. */
  readonly bytes: number;
  /** Events older than this are removed; absent: no age limit. */
  readonly maxAgeMs?: number | undefined;
  /** The oldest events are removed while the topic holds more bytes; absent: no size limit. */
  readonly maxBytes?: number | undefined;
  /** Durable groups only: ephemeral readers are left out. */
  readonly groups: readonly GroupInfo[];
}

/** A group as the Weir server describes it. */
export interface GroupSummary extends GroupInfo {
  /** Subscribers of the group connected now. */
  readonly consumers: number;
}

/** A topic as the Weir server describes it (`GET /api/topics/:name`). */
export interface TopicSummary extends TopicInfo {
  /** When this incarnation of the topic was created (ISO 8601). */
  readonly createdAt: string;
  /** Events per second published over the last 10 seconds. */
  readonly publishRate: number;
  readonly groups: readonly GroupSummary[];
}

/**
 * What a backend knows of a topic, for {@link describeTopic}: its {@link TopicInfo} but the groups,
 * where `firstOffset` may be anything when the topic is empty and a limit not set is `null` or
 * `undefined`.
 */
export type TopicCounts = Omit<TopicInfo, "groups" | "maxAgeMs" | "maxBytes"> & {
  readonly maxAgeMs: number | null | undefined;
  readonly maxBytes: number | null | undefined;
};

/**
 * A topic's {@link TopicInfo} from its counts and its groups: `firstOffset` 0 when empty, limits
 * only when set, ephemeral groups left out.
 *
 * @example describeTopic({ name, topicId, eventCount, firstOffset, lastOffset, bytes, maxAgeMs: null, maxBytes: null }, groups.values());
 */
export function describeTopic<E extends { readonly offset: number }>(
  counts: TopicCounts,
  groups: Iterable<GroupEngine<E>>,
): TopicInfo {
  const { maxAgeMs, maxBytes } = counts;
  return {
    name: counts.name,
    topicId: counts.topicId,
    eventCount: counts.eventCount,
    firstOffset: counts.eventCount > 0 ? counts.firstOffset : 0,
    lastOffset: counts.lastOffset,
    bytes: counts.bytes,
    ...(maxAgeMs === null || maxAgeMs === undefined ? {} : { maxAgeMs }),
    ...(maxBytes === null || maxBytes === undefined ? {} : { maxBytes }),
    groups: describeGroups(groups),
  };
}

/** The durable groups among `groups`, described. */
function describeGroups<E extends { readonly offset: number }>(
  groups: Iterable<GroupEngine<E>>,
): GroupInfo[] {
  const described: GroupInfo[] = [];
  for (const group of groups)
    if (!isEphemeralGroup(group.name))
      described.push({
        name: group.name,
        ackedOffset: group.floor,
        pending: group.pendingCount,
        lag: group.lag(),
      });
  return described;
}
