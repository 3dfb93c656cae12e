/**
 * The wire shapes the dashboard reads. Everything the server defines comes from `@weir/protocol`
 * as types only (the zod schemas stay out of the browser bundle); topics belong to the event log
 * and are described here.
 */
import type { LogLevel, StateType } from "@weir/protocol";

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

/** Every state, in lifecycle order (a copy of the protocol's `STATE_TYPES`, which is a runtime value). */
export const STATES = [
  "Scheduled",
  "Late",
  "Pending",
  "Running",
  "Retrying",
  "AwaitingRetry",
  "Completed",
  "Failed",
  "TimedOut",
  "Crashed",
  "Cancelling",
  "Cancelled",
] as const satisfies readonly StateType[];

export const TERMINAL_STATES: readonly StateType[] = [
  "Completed",
  "Failed",
  "TimedOut",
  "Crashed",
  "Cancelled",
];

export const LOG_LEVELS = [
  "debug",
  "info",
  "warning",
  "error",
  "critical",
] as const satisfies readonly LogLevel[];

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
