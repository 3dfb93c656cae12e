import { z } from "zod";

import { STATE_TYPES, TERMINAL_STATES } from "./vocabulary.js";
import type { StateType } from "./vocabulary.js";

export { STATE_TYPES, TERMINAL_STATES };
export type { StateType };

/**
 * Zod schema of {@link StateType}.
 * @example stateTypeSchema.parse("Crashed");
 */
export const stateTypeSchema = z.enum(STATE_TYPES);

const TERMINAL = new Set<StateType>(TERMINAL_STATES);

/**
 * Whether a state is terminal (a run in it never changes state again).
 * @example isTerminalState("Crashed"); // true
 */
export function isTerminalState(state: StateType): boolean {
  return TERMINAL.has(state);
}

/**
 * The transitions the server accepts, from each state. Terminal states allow none; a run may move
 * between its waiting states freely, and every live state may end in any terminal state.
 */
export const ALLOWED_TRANSITIONS: Readonly<Record<StateType, readonly StateType[]>> = {
  Scheduled: ["Late", "Pending", "Running", "Cancelling", "Cancelled", "Crashed", "Failed"],
  Late: ["Scheduled", "Pending", "Running", "Cancelling", "Cancelled", "Crashed", "Failed"],
  Pending: ["Scheduled", "Running", "Cancelling", "Cancelled", "Crashed", "Failed", "TimedOut"],
  Running: [
    "Retrying",
    "AwaitingRetry",
    "Completed",
    "Failed",
    "TimedOut",
    "Crashed",
    "Cancelling",
    "Cancelled",
  ],
  Retrying: [
    "Running",
    "AwaitingRetry",
    "Completed",
    "Failed",
    "TimedOut",
    "Crashed",
    "Cancelling",
    "Cancelled",
  ],
  AwaitingRetry: [
    "Scheduled",
    "Pending",
    "Retrying",
    "Running",
    "Failed",
    "TimedOut",
    "Crashed",
    "Cancelling",
    "Cancelled",
  ],
  Cancelling: ["Cancelled", "Completed", "Failed", "TimedOut", "Crashed"],
  Completed: [],
  Failed: [],
  TimedOut: [],
  Crashed: [],
  Cancelled: [],
};

/**
 * Checks a proposed transition; returns `undefined` when it is allowed, or the reason it is not.
 * @example transitionError("Completed", "Running"); // "run is Completed, a terminal state; …"
 */
export function transitionError(from: StateType, to: StateType): string | undefined {
  if (ALLOWED_TRANSITIONS[from].includes(to)) return undefined;
  if (isTerminalState(from))
    return `run is ${from}, a terminal state; it cannot become ${to}. Create a new run instead.`;
  if (from === to) return `run is already ${from}; propose a different state.`;
  return `${from} → ${to} is not an allowed transition (from ${from}: ${ALLOWED_TRANSITIONS[from].join(", ")}).`;
}
