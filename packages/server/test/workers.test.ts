import type { ClaimAnswer, Run } from "@weir/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startServer } from "../src/start-server.js";
import { BACKENDS, startTestServer, uuid } from "./backends.js";
import type { TestServer } from "./backends.js";
import { claim, deploy, getRun, propose, waitFor } from "./deployment-helpers.js";

const beat = (t: TestServer, workerId: string, pool: string, running: string[], heartbeatIntervalMs = 300) =>
  t.json<{ cancel: string[] }>("POST", "/api/workers/heartbeat", {
    workerId,
    name: `w-${workerId.slice(0, 4)}`,
    pool,
    limit: 4,
    running,
    heartbeatIntervalMs,
  });

describe.each(BACKENDS)("workers, schedules and restarts on $name", ({ name, skip }) => {
  let t: TestServer;
  beforeAll(async () => {
    if (!skip) t = await startTestServer(name, { schedulerIntervalMs: 50 });
  });
  afterAll(async () => {
    await t?.close();
  });

  it.skipIf(skip)("marks an unclaimed slot Late after its grace, and a worker still claims it", async () => {
    const d = await deploy(t, { schedule: { cron: "* * * * * *" }, lateAfterMs: 300, workPool: "late-pool" });
    const late = await waitFor(
      async () => (await t.json<{ items: Run[] }>("GET", `/api/runs?deploymentId=${d.id}&state=Late`)).items,
      (runs) => runs.length > 0,
      5000,
    );
    expect(late.length).toBeGreaterThan(0);
    const oldest = late.sort((a, b) => Date.parse(a.scheduledFor!) - Date.parse(b.scheduledFor!))[0]!;
    expect(Date.parse(oldest.stateTimestamp) - Date.parse(oldest.scheduledFor!)).toBeGreaterThanOrEqual(300);
    expect(oldest.stateMessage).toMatch(/Not started .* after its slot \(grace 0.3 s\)/);
    const answer = await claim(t, uuid(), 1, 0, "late-pool");
    expect(answer.runs[0]!.run).toMatchObject({ id: oldest.id, state: "Pending" });
    await t.json("POST", `/api/deployments/${d.id}/pause`);
  });

  it.skipIf(skip)(
    "crashes a silent worker's runs within 3 heartbeats and restarts them on another worker",
    async () => {
      const d = await deploy(t, {
        workPool: "crash-pool",
        restartPolicy: { mode: "on-failure", initialDelayMs: 200, maxDelayMs: 1000 },
      });
      const dead = uuid();
      const interval = 1000;
      await beat(t, dead, "crash-pool", [], interval);
      const run = await t.json<Run>("POST", `/api/deployments/${d.id}/runs`, {});
      expect((await claim(t, dead, 1, 0, "crash-pool")).runs[0]!.run.id).toBe(run.id);
      await propose(t, run.id, "Running");
      await beat(t, dead, "crash-pool", [run.id], interval);
      const lastBeat = Date.now();
      // The worker is SIGKILLed here: no more heartbeats.
      const crashed = await waitFor(
        () => getRun(t, run.id),
        (r) => r.state === "Crashed",
        10_000,
      );
      const detectedAfter = Date.now() - lastBeat;
      expect(crashed.state).toBe("Crashed");
      expect(crashed.stateMessage).toMatch(/sent no heartbeat for .* 3 missed/);
      // Offline after 3 missed heartbeats, found by the next check (every 50 ms here) — with room
      // for a loaded machine, but well before a 4th heartbeat would have been due.
      expect(detectedAfter).toBeGreaterThanOrEqual(3 * interval - 50);
      expect(detectedAfter).toBeLessThan(4 * interval);
      const live = uuid();
      const restarted = await t.json<ClaimAnswer>("POST", "/api/work-pools/crash-pool/claim", {
        workerId: live,
        limit: 1,
        waitMs: 5000,
      });
      expect(restarted.runs).toHaveLength(1);
      expect(restarted.runs[0]!.run).toMatchObject({ restartOf: run.id, workerId: live, deploymentId: d.id });
      // The dead worker was only cut off: when it comes back it is told to stop the old run.
      expect((await beat(t, dead, "crash-pool", [run.id], interval)).cancel).toEqual([run.id]);
      expect(
        (
          await t.json<{ revived: string[]; cancel: string[] }>("POST", "/api/ingest", {
            heartbeats: [run.id],
          })
        ).cancel,
      ).toEqual([run.id]);
      expect((await getRun(t, run.id)).state).toBe("Crashed");
    },
  );

  it.skipIf(skip)(
    "restarts always after any end with backoff, never after a cancel, up to maxRestarts",
    async () => {
      const d = await deploy(t, {
        workPool: "always-pool",
        restartPolicy: { mode: "always", initialDelayMs: 300, maxDelayMs: 10_000, maxRestarts: 2 },
      });
      const worker = uuid();
      const first = await t.json<Run>("POST", `/api/deployments/${d.id}/runs`, { parameters: { n: 1 } });
      const chain = [first.id];
      for (let i = 0; i < 2; i++) {
        await claim(t, worker, 1, 0, "always-pool");
        await propose(t, chain.at(-1)!, "Running");
        await propose(t, chain.at(-1)!, i === 0 ? "Completed" : "Failed");
        const next = (await t.json<{ items: Run[] }>("GET", `/api/runs?deploymentId=${d.id}`)).items.find(
          (r) => r.restartOf === chain.at(-1),
        );
        expect(next, `restart ${i + 1}`).toBeDefined();
        // Backoff: the n-th restart is due initialDelayMs · 2^(n−1) (±20 %) after the end.
        const delay = Date.parse(next!.scheduledFor!) - Date.parse(next!.createdAt);
        expect(delay).toBeGreaterThanOrEqual(300 * 2 ** i * 0.8 - 5);
        expect(delay).toBeLessThanOrEqual(300 * 2 ** i * 1.2 + 5);
        expect(next!.parameters).toEqual({ n: 1 });
        expect((await claim(t, worker, 1, 0, "always-pool")).runs).toHaveLength(0);
        chain.push(next!.id);
        await new Promise((resolve) =>
          setTimeout(resolve, Math.max(0, Date.parse(next!.scheduledFor!) - Date.now())),
        );
      }
      await claim(t, worker, 1, 0, "always-pool");
      await propose(t, chain.at(-1)!, "Running");
      await propose(t, chain.at(-1)!, "Failed");
      const all = (await t.json<{ items: Run[] }>("GET", `/api/runs?deploymentId=${d.id}`)).items;
      expect(all).toHaveLength(3);
      const cancelled = await t.json<Run>("POST", `/api/deployments/${d.id}/runs`, {});
      await claim(t, worker, 1, 0, "always-pool");
      await propose(t, cancelled.id, "Running");
      await t.json("POST", `/api/runs/${cancelled.id}/cancel`);
      await propose(t, cancelled.id, "Cancelled");
      expect((await t.json<{ items: Run[] }>("GET", `/api/runs?deploymentId=${d.id}`)).items).toHaveLength(4);
    },
  );

  it.skipIf(skip)("keeps each deployment within its concurrency limit", async () => {
    const d = await deploy(t, { workPool: "limit-pool", concurrencyLimit: 2 });
    const runs: Run[] = [];
    for (let i = 0; i < 5; i++) runs.push(await t.json<Run>("POST", `/api/deployments/${d.id}/runs`, {}));
    const worker = uuid();
    const first = await claim(t, worker, 10, 0, "limit-pool");
    expect(first.runs.map((r) => r.run.id)).toEqual([runs[0]!.id, runs[1]!.id]);
    expect((await claim(t, worker, 10, 0, "limit-pool")).runs).toHaveLength(0);
    await propose(t, runs[0]!.id, "Running");
    await propose(t, runs[0]!.id, "Completed");
    expect((await claim(t, worker, 10, 0, "limit-pool")).runs.map((r) => r.run.id)).toEqual([runs[2]!.id]);
  });

  it.skipIf(skip)(
    "starts each of 300 queued runs exactly once across 30 concurrent claimers (two replicas on PostgreSQL)",
    async () => {
      const d = await deploy(t, { workPool: "race-pool" });
      const queued = new Set<string>();
      for (let i = 0; i < 300; i++)
        queued.add((await t.json<Run>("POST", `/api/deployments/${d.id}/runs`, {})).id);
      const replica =
        name === "postgres"
          ? await startServer({
              port: 0,
              db: t.databaseUrl!,
              dataDir: `${t.dataDir}/replica`,
              uiDir: `${t.dataDir}/no-ui`,
              apiKey: "",
            })
          : undefined;
      try {
        const urls = [t.url, replica?.url ?? t.url];
        const claimed: string[] = [];
        await Promise.all(
          Array.from({ length: 30 }, async (_, i) => {
            const worker = uuid();
            for (;;) {
              const res = await fetch(`${urls[i % 2]}/api/work-pools/race-pool/claim`, {
                method: "POST",
                headers: { "content-type": "application/json" },
                body: JSON.stringify({ workerId: worker, limit: 5, waitMs: 0 }),
              });
              expect(res.status).toBe(200);
              const answer = (await res.json()) as ClaimAnswer;
              if (answer.runs.length === 0) return;
              for (const r of answer.runs) claimed.push(r.run.id);
            }
          }),
        );
        expect(claimed).toHaveLength(300);
        expect(new Set(claimed)).toEqual(queued);
      } finally {
        await replica?.close();
      }
    },
    120_000,
  );

  it.skipIf(skip)(
    "wakes a waiting claim at once for Run now (across replicas on PostgreSQL) and at a slot's time",
    async () => {
      const d = await deploy(t, { workPool: "push-pool" });
      const replica =
        name === "postgres"
          ? await startServer({
              port: 0,
              db: t.databaseUrl!,
              dataDir: `${t.dataDir}/replica2`,
              uiDir: `${t.dataDir}/no-ui`,
              apiKey: "",
            })
          : undefined;
      try {
        const waiting = fetch(`${replica?.url ?? t.url}/api/work-pools/push-pool/claim`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ workerId: uuid(), limit: 1, waitMs: 20_000 }),
        }).then(async (res) => ({ answer: (await res.json()) as ClaimAnswer, at: Date.now() }));
        await new Promise((resolve) => setTimeout(resolve, 300));
        const started = Date.now();
        const run = await t.json<Run>("POST", `/api/deployments/${d.id}/runs`, {});
        const { answer, at } = await waiting;
        expect(answer.runs.map((r) => r.run.id)).toEqual([run.id]);
        expect(at - started).toBeLessThan(1000);
        const slot = Math.ceil((Date.now() + 1500) / 1000) * 1000;
        const scheduled = await deploy(t, { workPool: "slot-pool", schedule: { cron: "* * * * * *" } });
        const next = await t.json<ClaimAnswer>("POST", "/api/work-pools/slot-pool/claim", {
          workerId: uuid(),
          limit: 1,
          waitMs: 5000,
        });
        const claimedAt = Date.now();
        expect(next.runs).toHaveLength(1);
        const due = Date.parse(next.runs[0]!.run.scheduledFor!);
        expect(due).toBeLessThanOrEqual(slot);
        expect(claimedAt - due).toBeGreaterThanOrEqual(0);
        expect(claimedAt - due).toBeLessThan(1000);
        await t.json("POST", `/api/deployments/${scheduled.id}/pause`);
      } finally {
        await replica?.close();
      }
    },
  );
});
