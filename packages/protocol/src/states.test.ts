import { describe, expect, it } from "vitest";

import {
  ALLOWED_TRANSITIONS,
  STATE_TYPES,
  TERMINAL_STATES,
  isTerminalState,
  transitionError,
} from "./states.js";

describe("state transitions", () => {
  it("allows nothing out of a terminal state and explains why", () => {
    for (const from of TERMINAL_STATES)
      for (const to of STATE_TYPES) expect(transitionError(from, to)).toMatch(/terminal state/);
  });

  it("lets every live state end in a terminal state except through its own rules", () => {
    for (const from of STATE_TYPES.filter((s) => !isTerminalState(s))) {
      expect(transitionError(from, "Crashed")).toBeUndefined();
      expect(transitionError(from, "Cancelled")).toBeUndefined();
    }
  });

  it("refuses a transition to the same state and skipping Running to complete", () => {
    expect(transitionError("Running", "Running")).toMatch(/already Running/);
    expect(transitionError("Pending", "Completed")).toMatch(/not an allowed transition/);
    expect(transitionError("Running", "Completed")).toBeUndefined();
  });

  it("covers every state in the table", () => {
    expect(Object.keys(ALLOWED_TRANSITIONS).sort()).toEqual([...STATE_TYPES].sort());
  });
});
