import { describe, expect, it } from "vitest";

import { formatFinalNumbers, formatStatus, lastErrorLine } from "./demo-status.js";

describe("lastErrorLine", () => {
  it("prefers the command's own last line, then the last ERROR line of the run log, then the last line", () => {
    const log = [
      "12:00:00.000 | INFO     | Flow run 'a' - Publishing reviews.csv",
      "12:00:00.100 | ERROR    | Flow run 'a' - Flow run failed: StreamError: lost {\"error\":{}}",
      "weir: lost the connection. Start the server again.",
      "",
    ].join("\n");
    expect(lastErrorLine(log)).toBe("lost the connection. Start the server again.");
    expect(lastErrorLine(log.split("\n").slice(0, 2).join("\n"))).toBe(
      "Flow run 'a' - Flow run failed: StreamError: lost {\"error\":{}}",
    );
    expect(lastErrorLine("starting\nKilled\n")).toBe("Killed");
    expect(lastErrorLine("")).toBeUndefined();
  });
});

describe("formatFinalNumbers", () => {
  it("prints the last precision and recall with the reviews learned, and the warning counts", () => {
    expect(
      formatFinalNumbers({
        scores: { precision: 0.75, recall: 0.5, reviews: 337 },
        precisionWarnings: 6,
        recallWarnings: 9,
      }),
    ).toBe(
      "Final precision 0.75 · recall 0.5 (class 0, after 337 reviews) · warnings: 6 precision, 9 recall",
    );
    expect(
      formatFinalNumbers({ scores: undefined, precisionWarnings: undefined, recallWarnings: undefined }),
    ).toBe("No precision/recall yet (the subscriber learned no review) · warnings: unknown (no monitor run)");
  });
});

describe("formatStatus", () => {
  it("shows each component's newest run, marks a restarted one, and the topics' and warnings' counts", () => {
    const run = (state: string, restarted = false) => ({ id: "r", state, stateMessage: null, restarted });
    expect(
      formatStatus({
        runs: { publisher: run("Completed"), subscriber: run("Running", true), monitor: run("Running") },
        failed: [],
        pipelineEvents: 337,
        metricsEvents: 336,
        warnings: 15,
      }),
    ).toBe(
      "publisher Completed · subscriber Running (restarted) · monitor Running · 337 reviews, 336 metrics · 15 warnings",
    );
    expect(
      formatStatus({
        runs: { subscriber: run("Pending") },
        failed: [],
        pipelineEvents: undefined,
        metricsEvents: undefined,
        warnings: undefined,
      }),
    ).toBe("publisher starting · subscriber Pending · monitor starting");
  });
});
