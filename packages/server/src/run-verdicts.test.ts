import type { IngestResult, Run, StateHistoryEntry } from "@weir/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { BACKENDS, startTestServer, uuid } from "../test/backends.js";
import type { TestServer } from "../test/backends.js";

const iso = (ms: number) => new Date(ms).toISOString();

describe.each(BACKENDS)("attempts and liveness verdicts on $name", ({ name, skip }) => {
  let t: TestServer;
  beforeAll(async () => {
    if (!skip) t = await startTestServer(name, { livenessCheckIntervalMs: 100 });
  });
  afterAll(async () => {
    await t?.close();
  });

  const propose = (runId: string, type: string, extra: Record<string, unknown> = {}) =>
    t.call("POST", `/api/runs/${runId}/state`, { id: uuid(), type, ...extra });
  const history = async (runId: string) =>
    (await t.json<StateHistoryEntry[]>("GET", `/api/runs/${runId}/states`)).map((h) => h.type);

  /** A Running run with 0.2 s heartbeats that never beats: the liveness check marks it Crashed. */
  async function crashedByLiveness(): Promise<{ run: Run; createdAt: number; verdictAt: number }> {
    const createdAt = Date.now();
    const created = await t.json<Run>("POST", "/api/runs", {
      flowName: "silent-flow",
      state: "Running",
      heartbeatIntervalSeconds: 0.2,
      timestamp: iso(createdAt),
    });
    const deadline = Date.now() + 10_000;
    for (;;) {
      const run = await t.json<Run>("GET", `/api/runs/${created.id}`);
      if (run.state === "Crashed") return { run, createdAt, verdictAt: Date.parse(run.stateTimestamp) };
      if (Date.now() > deadline) throw new Error(`run ${created.id} was not marked Crashed`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  describe.skipIf(skip)("runCount", () => {
    it("counts every attempt, whether a retry is recorded through Retrying or straight to Running", async () => {
      const walks: [string[], number][] = [
        [["AwaitingRetry", "Retrying", "AwaitingRetry", "Retrying", "Completed"], 3], // @weir/flow
        [["AwaitingRetry", "Running", "Completed"], 2],
        [["AwaitingRetry", "Retrying", "Running", "Completed"], 2],
      ];
      for (const [types, attempts] of walks) {
        const run = await t.json<Run>("POST", "/api/runs", { flowName: "retried-flow", state: "Running" });
        for (const type of types) expect((await propose(run.id, type)).status).toBe(200);
        expect((await t.json<Run>("GET", `/api/runs/${run.id}`)).runCount).toBe(attempts);
      }
    });
  });

  describe.skipIf(skip)("a liveness Crashed", () => {
    it("gives way to the client's final state stamped before the verdict, keeping both in the history", async () => {
      const { run, createdAt, verdictAt } = await crashedByLiveness();
      const endedAt = createdAt + 300;
      expect(endedAt).toBeLessThan(verdictAt);
      const result = await t.json<IngestResult>("POST", "/api/ingest", {
        states: [{ runId: run.id, id: uuid(), type: "Completed", timestamp: iso(endedAt) }],
      });
      expect(result.accepted.states).toBe(1);
      expect(await t.json<Run>("GET", `/api/runs/${run.id}`)).toMatchObject({
        state: "Completed",
        startTime: iso(createdAt),
        endTime: iso(endedAt),
        durationMs: 300,
        runCount: 1,
      });
      expect(await history(run.id)).toEqual(["Running", "Crashed", "Completed"]);
      // It is final now: the verdict gave way once, to the client's word.
      expect((await propose(run.id, "Failed", { timestamp: iso(createdAt + 100) })).status).toBe(409);
    });

    it("stays against a final state stamped after the verdict, and a Crashed the client reported stays too", async () => {
      const { run, verdictAt } = await crashedByLiveness();
      const late = await propose(run.id, "Completed", { timestamp: iso(verdictAt + 1) });
      expect(late.status).toBe(409);
      expect((await propose(run.id, "Completed")).status).toBe(409); // no timestamp: the receipt time
      expect((await t.json<Run>("GET", `/api/runs/${run.id}`)).state).toBe("Crashed");

      const startedAt = Date.now() - 1_000;
      const reported = await t.json<Run>("POST", "/api/runs", {
        flowName: "reported-crash",
        state: "Running",
        timestamp: iso(startedAt),
      });
      expect((await propose(reported.id, "Crashed", { timestamp: iso(startedAt + 500) })).status).toBe(200);
      expect((await propose(reported.id, "Completed", { timestamp: iso(startedAt + 100) })).status).toBe(409);
    });

    it("is undone by heartbeats that come back: the run is Running again, then ends normally", async () => {
      const { run } = await crashedByLiveness();
      const answer = await t.json<IngestResult>("POST", "/api/ingest", { heartbeats: [run.id] });
      expect(answer.revived).toEqual([run.id]);
      const revived = await t.json<Run>("GET", `/api/runs/${run.id}`);
      expect(revived).toMatchObject({ state: "Running", endTime: null, durationMs: null, runCount: 1 });
      expect(revived.stateMessage).toMatch(/Heartbeats arrived again .* Running again/);
      expect((await t.json<IngestResult>("POST", "/api/ingest", { heartbeats: [run.id] })).revived).toEqual(
        [],
      );
      expect((await propose(run.id, "Completed")).status).toBe(200);
      expect(await history(run.id)).toEqual(["Running", "Crashed", "Running", "Completed"]);

      const other = (await crashedByLiveness()).run;
      expect(await t.json("POST", `/api/runs/${other.id}/heartbeat`)).toEqual({
        ok: true,
        revived: true,
        cancel: [],
      });
      expect((await t.json<Run>("GET", `/api/runs/${other.id}`)).state).toBe("Running");
      expect(await t.json("POST", `/api/runs/${other.id}/heartbeat`)).toEqual({
        ok: true,
        revived: false,
        cancel: [],
      });
    });
  });
});
