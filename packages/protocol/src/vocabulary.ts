/**
 * The fixed vocabularies of the protocol — run states and log levels — with no dependency, so that
 * the dashboard can import them (`@weir/protocol/vocabulary`) without bundling zod.
 */

/** Every state a flow run or task run can be in, in lifecycle order. */
export const STATE_TYPES = [
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
] as const;

/**
 * The state of a run.
 * @example const s: StateType = "Running";
 */
export type StateType = (typeof STATE_TYPES)[number];

/** States a run never leaves. */
export const TERMINAL_STATES: readonly StateType[] = [
  "Completed",
  "Failed",
  "TimedOut",
  "Crashed",
  "Cancelled",
];

/** Log levels, lowest first. */
export const LOG_LEVELS = ["debug", "info", "warning", "error", "critical"] as const;

/** A log level name. */
export type LogLevel = (typeof LOG_LEVELS)[number];
