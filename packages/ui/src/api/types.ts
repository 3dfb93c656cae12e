/**
 * The wire shapes the dashboard reads. Everything the server defines comes from `@weir/protocol`:
 * types only, plus the zod-free vocabularies of `@weir/protocol/vocabulary`, so the schemas stay out
 * of the browser bundle. Topics belong to the event log and are described here.
 */

export type {
  Artifact,
  FlowSummary,
  LogLevel,
  LogLine,
  MetricEvent,
  MetricSeries,
  Page,
  Run,
  StateCounts,
  StateHistoryEntry,
  StateType,
  Stats,
} from "@weir/protocol";

export { LOG_LEVELS, STATE_TYPES as STATES, TERMINAL_STATES } from "@weir/protocol/vocabulary";

export interface ConsumerGroup {
  name: string;
  lag: number;
  ackedOffset: number | null;
}

export interface Topic {
  name: string;
  count: number;
  firstOffset: number | null;
  lastOffset: number | null;
  /** Events per second over the server's recent window. */
  publishRate: number;
  groups: ConsumerGroup[];
}

export interface TopicEvent {
  offset: number;
  timestamp: string | null;
  data: unknown;
}
