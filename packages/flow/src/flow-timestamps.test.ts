import { setTimeout as delay } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { configure, flow, flush, task } from "./index.js";
import type { RunView } from "../test/harness.js";
import { getAll, getRun, waitFor, serverSuite } from "../test/harness.js";

const { tmp, server } = serverSuite();

/** Milliseconds between two ISO times of a run. */
const span = (from: string | null, to: string | null): number =>
  Date.parse(to ?? "") - Date.parse(from ?? "");

/** A flow that sleeps 3 s around two task runs that block the event loop for 200 ms each. */
function sleeper(name: string, onStart: (runId: string, at: number) => void) {
  const busy = task({ name: "busy" }, () => {
    const until = Date.now() + 200;
    while (Date.now() < until) {
      // a synchronous loop: the reporter cannot send anything meanwhile
    }
  });
  return flow({ name }, async (_: void, ctx) => {
    onStart(ctx.runId, Date.now());
    await busy();
    await delay(2_600);
    await busy();
  });
}

describe("run times", () => {
  it("records a flow that sleeps 3 s as 3.0 ± 0.1 s, with its start on the client's clock, and no task run ending before it starts", async () => {
    const live = await server(`${tmp.dir}/times-server`);
    // The default batch interval (1 s): the server receives a run about a second after it began.
    configure({ apiUrl: live.url, home: `${tmp.dir}/times-client`, printLogs: false });
    let runId = "";
    let startedAt = 0;
    await sleeper("sleeps-3-s", (id, at) => ((runId = id), (startedAt = at)))();
    const run = await getRun(live.url, runId);
    expect(run.state).toBe("Completed");
    expect(run.durationMs).toBeGreaterThanOrEqual(2_900);
    expect(run.durationMs).toBeLessThanOrEqual(3_100);
    expect(span(run.startTime, run.endTime)).toBe(run.durationMs);
    expect(Math.abs(Date.parse(run.startTime ?? "") - startedAt)).toBeLessThanOrEqual(100);
    const tasks = await getAll<RunView>(live.url, `/api/runs?kind=task&flowRunId=${runId}`);
    expect(tasks).toHaveLength(2);
    for (const t of tasks) {
      expect(t.state).toBe("Completed");
      expect(span(t.startTime, t.endTime)).toBeGreaterThanOrEqual(200);
      expect(t.durationMs).toBe(span(t.startTime, t.endTime));
    }
  });

  it("keeps the client's times when the run reaches the server only in a spool replay after the run", async () => {
    const dataDir = `${tmp.dir}/replay-server`;
    const first = await server(dataDir);
    await first.close(); // down during the whole run
    configure({
      apiUrl: first.url,
      home: `${tmp.dir}/replay-client`,
      printLogs: false,
      flushTimeoutMs: 300,
    });
    let runId = "";
    let startedAt = 0;
    await sleeper("sleeps-offline", (id, at) => ((runId = id), (startedAt = at)))();
    await delay(1_000); // the replay comes well after the run ended
    const second = await server(dataDir, first.port);
    await flush({ timeoutMs: 10_000 });
    const run = await waitFor(
      async () => {
        const r = await getRun(second.url, runId).catch(() => undefined);
        return r?.state === "Completed" ? r : undefined;
      },
      10_000,
      "the replayed run",
    );
    expect(run.durationMs).toBeGreaterThanOrEqual(2_900);
    expect(run.durationMs).toBeLessThanOrEqual(3_100);
    expect(Math.abs(Date.parse(run.startTime ?? "") - startedAt)).toBeLessThanOrEqual(100);
    const tasks = await getAll<RunView>(second.url, `/api/runs?kind=task&flowRunId=${runId}`);
    expect(tasks).toHaveLength(2);
    for (const t of tasks) expect(span(t.startTime, t.endTime)).toBeGreaterThanOrEqual(200);
  });
});

describe("attempts", () => {
  it("counts every attempt of a retried flow run in runCount", async () => {
    const live = await server(`${tmp.dir}/attempts-server`);
    configure({
      apiUrl: live.url,
      home: `${tmp.dir}/attempts-client`,
      printLogs: false,
      batchIntervalMs: 100,
    });
    let runId = "";
    const flaky = flow({ name: "third-time-lucky", retries: 3 }, (_: void, ctx) => {
      runId = ctx.runId;
      if (ctx.attempt < 3) throw new Error(`attempt ${ctx.attempt} failed`);
      return ctx.attempt;
    });
    expect(await flaky()).toBe(3);
    const run = await getRun(live.url, runId);
    expect(run.state).toBe("Completed");
    expect(run.runCount).toBe(3);
  });
});
