import { describe, expect, it } from "vitest";

import type { ConsumeCheckpoint } from "./consume-checkpoint.js";
import { getJson, getRun, runFixture, serverSuite, waitFor } from "../../test/harness.js";

const { tmp, server } = serverSuite();

describe("consume() in a flow stopped by Ctrl-C", () => {
  it("stores the last checkpoint with ctx.checkpoint after the run's signal aborted, and the run ends Cancelled", async () => {
    const { url } = await server(`${tmp.dir}/server`);
    const fixture = runFixture("consume-until-signal.ts", {
      WEIR_API_URL: url,
      WEIR_HOME: `${tmp.dir}/client`,
      WEIR_BATCH_INTERVAL_MS: "100",
      FIXTURE_EVENTS: "25",
    });
    await fixture.waitForLine("HANDLED 25");
    const checkpointUrl = `/api/checkpoints/fixture-consumer/${encodeURIComponent("sum:numbers")}`;
    // Nothing was checkpointed while it ran (every 1,000,000 events or one hour).
    await expect(getJson(url, checkpointUrl)).rejects.toThrow(/404/);
    fixture.child.kill("SIGINT");
    const exit = await fixture.exited;
    expect(fixture.lines, fixture.stderr.join("")).toContain("STOPPED 25");
    expect(exit.signal).toBe("SIGINT");
    const { value } = await getJson<{ value: ConsumeCheckpoint<{ sum: number }> }>(url, checkpointUrl);
    expect(value).toMatchObject({ lastOffset: 25, state: { sum: 325 } });
    const runs = await waitFor(async () => {
      const page = await getJson<{ items: { id: string }[] }>(url, "/api/runs?flow=fixture-consumer&limit=1");
      return page.items[0];
    });
    expect((await getRun(url, runs.id)).state).toBe("Cancelled");
  });
});
