import type { ConsumerGroup, Topic, TopicEvent } from "./types.js";

type Raw = Record<string, unknown>;

const isRecord = (v: unknown): v is Raw => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === "string" ? v : null);
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const pick = (o: Raw, ...keys: string[]): unknown => {
  for (const k of keys) if (o[k] !== undefined && o[k] !== null) return o[k];
  return undefined;
};

// Topics are described by the event log (`@weir/stream`'s TopicInfo plus a publish rate), not by
// @weir/protocol, so their reader accepts the field names either side may use.

function normalizeGroup(raw: unknown): ConsumerGroup {
  const o = isRecord(raw) ? raw : {};
  return {
    name: str(pick(o, "name", "group")) ?? "",
    lag: num(o.lag) ?? 0,
    ackedOffset: num(pick(o, "ackedOffset", "committedOffset", "offset")),
  };
}

/** A topic from `GET /api/topics`. */
export function normalizeTopic(raw: unknown): Topic {
  const o = isRecord(raw) ? raw : {};
  const groups = pick(o, "groups", "consumerGroups");
  const rate = pick(o, "publishRate", "rate", "publishRatePerSecond", "eventsPerSecond");
  return {
    name: str(o.name) ?? "",
    count: num(pick(o, "eventCount", "count", "events")) ?? 0,
    firstOffset: num(o.firstOffset),
    lastOffset: num(o.lastOffset),
    publishRate: num(isRecord(rate) ? pick(rate, "perSecond", "value", "last1m", "oneMinute") : rate) ?? 0,
    groups: Array.isArray(groups) ? groups.map(normalizeGroup) : [],
  };
}

/** An event from `GET /api/topics/:name/events`. */
export function normalizeTopicEvent(raw: unknown): TopicEvent {
  const o = isRecord(raw) ? raw : {};
  return {
    offset: num(o.offset) ?? 0,
    timestamp: str(pick(o, "timestamp", "publishedAt", "time", "createdAt")),
    data: o.data,
  };
}

/** Lists may come as a bare array or as a `{ items }` page. */
export function itemsOf(raw: unknown): unknown[] {
  if (Array.isArray(raw)) return raw;
  if (isRecord(raw)) for (const k of ["items", "topics", "events"]) if (Array.isArray(raw[k])) return raw[k];
  return [];
}
