import { describe, expect, it } from "vitest";

import { keepsItem, withBatchEnds } from "./ingest-guards.js";

describe("withBatchEnds", () => {
  const live = () =>
    new Map([["run-1", { state: "Cancelling", endTime: null, cancelRequestedAt: 1, workerId: null }]]);

  it("drops a batch's own lines stamped after the Cancelled state the same batch reports", () => {
    const known = withBatchEnds(
      live(),
      [{ runId: "run-1", type: "Cancelled", timestamp: "2026-12-04T12:00:01.000Z" }],
      Date.parse("2026-12-04T12:00:05.000Z"),
    );
    expect(keepsItem(known, "run-1", "2026-12-04T12:00:00.900Z", 0)).toBe(true);
    expect(keepsItem(known, "run-1", "2026-12-04T12:00:01.000Z", 0)).toBe(true);
    expect(keepsItem(known, "run-1", "2026-12-04T12:00:01.001Z", 0)).toBe(false);
  });

  it("keeps every line of a batch that ends its run Completed, and of runs it does not end", () => {
    const known = withBatchEnds(
      live(),
      [{ runId: "run-1", type: "Completed", timestamp: "2026-12-04T12:00:01.000Z" }],
      0,
    );
    expect(keepsItem(known, "run-1", "2026-12-04T12:00:09.000Z", 0)).toBe(true);
    expect(withBatchEnds(live(), [{ runId: "other", type: "TimedOut" }], 5).get("run-1")?.endTime).toBe(null);
  });
});
