import type {
  ClaimAnswer,
  Deployment,
  DeploymentVersion,
  IngestResult,
  Run,
  SchedulePreview,
  WorkPool,
  Worker,
} from "@weir/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { BACKENDS, startTestServer, uuid } from "./backends.js";
import type { TestServer } from "./backends.js";
import { claim, deploy, deploymentBody, propose } from "./deployment-helpers.js";

const SCHEMA = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  type: "object",
  properties: { threshold: { type: "number", minimum: 0, maximum: 1 }, topic: { type: "string" } },
  required: ["threshold"],
  additionalProperties: false,
};

describe.each(BACKENDS)("deployments API on $name", ({ name, skip }) => {
  let t: TestServer;
  beforeAll(async () => {
    if (!skip) t = await startTestServer(name, { schedulerIntervalMs: 100 });
  });
  afterAll(async () => {
    await t?.close();
  });

  it.skipIf(skip)("creates, versions on change, returns the same version for the same body", async () => {
    const body = deploymentBody({ parameters: { threshold: 0.5 }, parameterSchema: SCHEMA, tags: ["ml"] });
    const first = await t.call("POST", "/api/deployments", body);
    expect(first.status).toBe(201);
    const created = first.body as Deployment;
    expect(created).toMatchObject({
      name: body.name,
      version: 1,
      workPool: "default",
      paused: false,
      nextRuns: [],
    });
    expect(created.restartPolicy).toEqual({
      mode: "never",
      initialDelayMs: 1000,
      maxDelayMs: 60000,
      maxRestarts: null,
    });
    const again = await t.call("POST", "/api/deployments", { ...body, tags: ["ml"] });
    expect(again.status).toBe(200);
    expect((again.body as Deployment).version).toBe(1);
    const changed = await t.call("POST", "/api/deployments", { ...body, parameters: { threshold: 0.7 } });
    expect(changed.status).toBe(201);
    expect(changed.body).toMatchObject({ id: created.id, version: 2, parameters: { threshold: 0.7 } });
    expect(await t.json<Deployment>("GET", `/api/deployments/${created.id}`)).toMatchObject({ version: 2 });
    expect(await t.json<Deployment>("GET", `/api/deployments/${body.name}`)).toMatchObject({
      id: created.id,
    });
  });

  it.skipIf(skip)(
    "lists the versions newest first with what changed, by pages; 404 for an unknown one",
    async () => {
      const body = deploymentBody({ parameters: { threshold: 0.5 }, parameterSchema: SCHEMA, tags: ["ml"] });
      const first = await t.json<Deployment>("POST", "/api/deployments", body);
      await t.json("POST", "/api/deployments", { ...body, parameters: { threshold: 0.7 } });
      await t.json("POST", "/api/deployments", { ...body, parameters: { threshold: 0.7 } }); // unchanged
      await t.json("POST", "/api/deployments", {
        ...body,
        parameters: { threshold: 0.7, topic: "t" },
        tags: ["ml", "gpu"],
        schedule: { intervalMs: 60_000 },
      });
      const versions = await t.json<DeploymentVersion[]>("GET", `/api/deployments/${body.name}/versions`);
      expect(versions.map((v) => v.version)).toEqual([3, 2, 1]);
      expect(versions[2]).toMatchObject({
        changes: [],
        spec: { parameters: { threshold: 0.5 }, tags: ["ml"] },
      });
      expect(versions[2]!.spec).toMatchObject({
        parameterSchema: SCHEMA,
        schedule: null,
        workPool: "default",
      });
      expect(versions[1]!.changes).toEqual([{ field: "parameters.threshold", from: 0.5, to: 0.7 }]);
      expect(versions[0]!.changes).toEqual([
        { field: "parameters.topic", to: "t" },
        { field: "schedule", from: null, to: { intervalMs: 60_000 } },
        { field: "tags", from: ["ml"], to: ["ml", "gpu"] },
      ]);
      expect(Date.parse(versions[0]!.createdAt)).toBeGreaterThanOrEqual(Date.parse(versions[1]!.createdAt));
      // By id too, and by pages: the last of a page still says what changed from the one before it.
      const page = await t.json<DeploymentVersion[]>(
        "GET",
        `/api/deployments/${first.id}/versions?limit=1&before=3`,
      );
      expect(page).toEqual([versions[1]]);
      expect(await t.json("GET", `/api/deployments/${first.id}/versions?before=1`)).toEqual([]);
      const unknown = await t.call("GET", "/api/deployments/no-such-deployment/versions");
      expect(unknown.status).toBe(404);
      expect(unknown.body).toMatchObject({
        error: { message: expect.stringMatching(/does not exist/) as unknown },
      });
      expect((await t.call("GET", `/api/deployments/${first.id}/versions?limit=0`)).status).toBe(400);
    },
  );

  it.skipIf(skip)(
    "describes a cron schedule in words with its next five slots in its time zone",
    async () => {
      const d = await deploy(t, { schedule: { cron: "0 9 * * 1-5", timezone: "Europe/Berlin" } });
      expect(d.scheduleDescription).toBe("At 09:00, Monday through Friday (Europe/Berlin)");
      expect(d.nextRuns).toHaveLength(5);
      for (const slot of d.nextRuns) {
        const local = new Intl.DateTimeFormat("en-GB", {
          timeZone: "Europe/Berlin",
          hour: "2-digit",
          minute: "2-digit",
          weekday: "short",
        }).format(new Date(slot));
        expect(local).toMatch(/^(Mon|Tue|Wed|Thu|Fri) 09:00$/);
      }
      const preview = await t.json<SchedulePreview>("GET", "/api/schedule/preview?intervalMs=300000&count=3");
      expect(preview.description).toBe("Every 5 minutes");
      expect(preview.next).toHaveLength(3);
      expect(Date.parse(preview.next[1]!) - Date.parse(preview.next[0]!)).toBe(300_000);
    },
  );

  it.skipIf(skip)("refuses bad schedules and parameters with a message naming the field", async () => {
    const cases: [unknown, RegExp][] = [
      [deploymentBody({ schedule: { cron: "* * * *" } }), /schedule\.cron: .* has 4 fields; use 5/],
      [deploymentBody({ schedule: { cron: "* * * * * * *" } }), /has 7 fields/],
      [deploymentBody({ schedule: { cron: "61 * * * *" } }), /schedule\.cron: .*not a cron expression/],
      [
        deploymentBody({ schedule: { cron: "* * * * *", timezone: "Mars/Olympus" } }),
        /schedule\.timezone: .*IANA/,
      ],
      [deploymentBody({ schedule: { intervalMs: 10 } }), /at least 1000/],
      [{ ...deploymentBody(), cronn: "* * * * *" }, /cronn/],
      [deploymentBody({ entrypoint: "flows.ts" }), /<module path>:<export name>/],
      [
        deploymentBody({ parameterSchema: SCHEMA, parameters: { threshold: 3 } }),
        /parameters\.threshold: must be <= 1/,
      ],
      [deploymentBody({ parameterSchema: { type: "nonsense" } }), /parameterSchema: not a JSON Schema/],
      [
        deploymentBody({ parameterSchema: SCHEMA, parameters: {}, schedule: { intervalMs: 60_000 } }),
        /parameters\.threshold: must have required property/,
      ],
    ];
    for (const [body, message] of cases) {
      const res = await t.call("POST", "/api/deployments", body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((res.body as { error: { message: string } }).error.message).toMatch(message);
    }
    // Without a schedule, defaults may leave required parameters to "Run now".
    expect(
      (await t.call("POST", "/api/deployments", deploymentBody({ parameterSchema: SCHEMA }))).status,
    ).toBe(201);
  });

  it.skipIf(skip)(
    "runs now, hands the run to one claimer with its deployment, and validates parameters",
    async () => {
      const d = await deploy(t, {
        parameters: { threshold: 0.5 },
        parameterSchema: SCHEMA,
        workPool: "now-pool",
        timeoutSeconds: 30,
      });
      const bad = await t.call("POST", `/api/deployments/${d.name}/runs`, {
        parameters: { threshold: "high" },
      });
      expect(bad.status).toBe(400);
      expect(bad.body).toMatchObject({ error: { message: "parameters.threshold: must be number" } });
      const run = await t.json<Run>("POST", `/api/deployments/${d.name}/runs`, {
        parameters: { topic: "t" },
      });
      expect(run).toMatchObject({
        state: "Pending",
        deploymentId: d.id,
        deploymentVersion: 1,
        workPool: "now-pool",
        workerId: null,
        timeoutSeconds: 30,
        parameters: { threshold: 0.5, topic: "t" },
      });
      const worker = uuid();
      const answer = await claim(t, worker, 10, 0, "now-pool");
      expect(answer.runs).toHaveLength(1);
      expect(answer.runs[0]!.run).toMatchObject({ id: run.id, state: "Pending", workerId: worker });
      expect(answer.runs[0]!.deployment).toMatchObject({ id: d.id, version: 1, entrypoint: d.entrypoint });
      expect((await claim(t, uuid(), 10, 0, "now-pool")).runs).toHaveLength(0);
      await propose(t, run.id, "Running");
      await propose(t, run.id, "Completed");
      const retry = await t.json<Run>("POST", `/api/runs/${run.id}/retry`);
      expect(retry).toMatchObject({
        state: "Pending",
        retryOf: run.id,
        parameters: run.parameters,
        deploymentId: d.id,
      });
      const listed = await t.json<{ items: Run[] }>("GET", `/api/runs?deploymentId=${d.id}`);
      expect(listed.items.map((r) => r.id).sort()).toEqual([run.id, retry.id].sort());
    },
  );

  it.skipIf(skip)(
    "cancels: at once before a claim, Cancelling after, 409 once ended, told to the worker",
    async () => {
      const d = await deploy(t, { workPool: "cancel-pool" });
      const waiting = await t.json<Run>("POST", `/api/deployments/${d.id}/runs`, {});
      const cancelled = await t.call("POST", `/api/runs/${waiting.id}/cancel`);
      expect(cancelled.status).toBe(202);
      expect(cancelled.body).toMatchObject({
        state: "Cancelled",
        cancelRequestedAt: expect.any(String) as unknown,
      });
      expect((await t.call("POST", `/api/runs/${waiting.id}/cancel`)).status).toBe(409);
      const held = await t.json<Run>("POST", `/api/deployments/${d.id}/runs`, {});
      const worker = uuid();
      await t.json("POST", "/api/workers/heartbeat", {
        workerId: worker,
        name: "w1",
        pool: "cancel-pool",
        limit: 2,
        running: [],
      });
      expect((await claim(t, worker, 5, 0, "cancel-pool")).runs.map((r) => r.run.id)).toEqual([held.id]);
      await propose(t, held.id, "Running");
      const waitingClaim = claim(t, worker, 5, 20_000, "cancel-pool");
      await new Promise((resolve) => setTimeout(resolve, 200));
      const started = Date.now();
      expect((await t.json<Run>("POST", `/api/runs/${held.id}/cancel`)).state).toBe("Cancelling");
      const woken = await waitingClaim;
      expect(woken).toEqual({ runs: [], cancel: [held.id] });
      expect(Date.now() - started).toBeLessThan(2000);
      const beat = await t.json<{ cancel: string[] }>("POST", "/api/workers/heartbeat", {
        workerId: worker,
        name: "w1",
        pool: "cancel-pool",
        limit: 2,
        running: [held.id],
      });
      expect(beat.cancel).toEqual([held.id]);
      await propose(t, held.id, "Cancelled");
      expect((await t.call("POST", `/api/runs/${held.id}/cancel`)).status).toBe(409);
      expect((await t.call("POST", `/api/runs/${uuid()}/cancel`)).status).toBe(404);
    },
  );

  it.skipIf(skip)(
    "tells a hand-started run of its cancel in the ingest answer and drops what it logs after",
    async () => {
      const run = await t.json<Run>("POST", "/api/runs", { flowName: "by-hand", state: "Running" });
      expect((await t.json<IngestResult>("POST", "/api/ingest", { heartbeats: [run.id] })).cancel).toEqual(
        [],
      );
      expect((await t.json<Run>("POST", `/api/runs/${run.id}/cancel`)).state).toBe("Cancelling");
      expect((await t.json<IngestResult>("POST", "/api/ingest", { heartbeats: [run.id] })).cancel).toEqual([
        run.id,
      ]);
      expect(await t.json("POST", `/api/runs/${run.id}/heartbeat`)).toMatchObject({ cancel: [run.id] });
      const end = new Date(Date.now() + 1000).toISOString();
      await propose(t, run.id, "Cancelled", end);
      const after = new Date(Date.parse(end) + 500).toISOString();
      const before = new Date(Date.parse(end) - 500).toISOString();
      const result = await t.json<IngestResult>("POST", "/api/ingest", {
        logs: [
          { runId: run.id, seq: 1, level: "info", message: "before the end", timestamp: before },
          { runId: run.id, seq: 2, level: "info", message: "after the end", timestamp: after },
        ],
        metrics: [{ runId: run.id, seq: 1, name: "loss", value: 1, timestamp: after }],
      });
      expect(result.accepted).toMatchObject({ logs: 1, metrics: 0 });
      expect(result.rejected).toMatchObject({ logs: 1, metrics: 1 });
      const retry = await t.call("POST", `/api/runs/${run.id}/retry`);
      expect(retry.status).toBe(409);
      expect((retry.body as { error: { message: string } }).error.message).toMatch(
        /started by hand.*no code to run/,
      );
    },
  );

  it.skipIf(skip)("pauses (waiting slots dropped), resumes, deletes; lists workers and pools", async () => {
    const d = await deploy(t, { schedule: { intervalMs: 1000 }, workPool: "paused-pool" });
    const slots = async () =>
      (await t.json<{ items: Run[] }>("GET", `/api/runs?deploymentId=${d.id}&state=Scheduled`)).items.length;
    await expect.poll(slots, { timeout: 5000 }).toBeGreaterThanOrEqual(50);
    const paused = await t.json<Deployment>("POST", `/api/deployments/${d.name}/pause`);
    expect(paused).toMatchObject({ paused: true, nextRuns: [] });
    expect(await slots()).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await slots()).toBe(0);
    expect((await t.json<Deployment>("POST", `/api/deployments/${d.name}/resume`)).nextRuns).toHaveLength(5);
    await expect.poll(slots, { timeout: 5000 }).toBeGreaterThanOrEqual(50);
    const worker = uuid();
    await t.json("POST", "/api/workers/heartbeat", {
      workerId: worker,
      name: "w-paused",
      pool: "paused-pool",
      limit: 3,
    });
    const workers = await t.json<Worker[]>("GET", "/api/workers?pool=paused-pool");
    expect(workers).toEqual([
      expect.objectContaining({
        id: worker,
        name: "w-paused",
        limit: 3,
        status: "online",
        running: 0,
        heartbeatIntervalMs: 5000,
      }),
    ]);
    const pools = await t.json<WorkPool[]>("GET", "/api/work-pools");
    expect(pools.find((p) => p.name === "paused-pool")).toMatchObject({
      workers: 1,
      onlineWorkers: 1,
      deployments: 1,
    });
    expect((await t.call("DELETE", `/api/deployments/${d.name}`)).status).toBe(204);
    expect((await t.call("GET", `/api/deployments/${d.name}`)).status).toBe(404);
    expect(await slots()).toBe(0);
    expect(
      (
        await t.json<ClaimAnswer>("POST", "/api/work-pools/paused-pool/claim", {
          workerId: worker,
          limit: 5,
          waitMs: 0,
        })
      ).runs,
    ).toEqual([]);
  });
});
