import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import type { Run } from "@weir/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startServer } from "./start-server.js";
import { startTestServer } from "../test/backends.js";
import type { TestServer } from "../test/backends.js";

async function waitFor<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("liveness", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer("sqlite", { livenessCheckIntervalMs: 100 });
  });
  afterAll(async () => {
    await t.close();
  });

  it("marks a run whose heartbeats stop Crashed, with its task runs, and leaves a beating run Running", async () => {
    const silent = await t.json<Run>("POST", "/api/runs", {
      flowName: "killed-flow",
      state: "Running",
      heartbeatIntervalSeconds: 0.2,
    });
    const task = await t.json<Run>("POST", "/api/runs", {
      kind: "task",
      flowName: "killed-flow",
      taskName: "step",
      flowRunId: silent.id,
      state: "Running",
    });
    const beating = await t.json<Run>("POST", "/api/runs", {
      flowName: "alive-flow",
      state: "Running",
      heartbeatIntervalSeconds: 0.2,
    });
    const noInterval = await t.json<Run>("POST", "/api/runs", {
      flowName: "unwatched-flow",
      state: "Running",
    });
    const timer = setInterval(() => void t.call("POST", "/api/ingest", { heartbeats: [beating.id] }), 100);
    try {
      const crashed = await waitFor(
        () => t.json<Run>("GET", `/api/runs/${silent.id}`),
        (run) => run.state === "Crashed",
        10_000,
      );
      expect(crashed.state).toBe("Crashed");
      expect(crashed.stateMessage).toMatch(
        /No heartbeat for [\d.]+ s \(expected one every 0.2 s; 3 missed\)/,
      );
      expect(crashed.endTime).not.toBeNull();
      const child = await waitFor(
        () => t.json<Run>("GET", `/api/runs/${task.id}`),
        (run) => run.state === "Crashed",
        5_000,
      );
      expect(child.stateMessage).toContain(silent.id);
      expect((await t.json<Run>("GET", `/api/runs/${beating.id}`)).state).toBe("Running");
      expect((await t.json<Run>("GET", `/api/runs/${noInterval.id}`)).state).toBe("Running");
    } finally {
      clearInterval(timer);
    }
    const metrics = await fetch(`${t.url}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/weir_runs_crashed_by_liveness_total 1\n/);
  });

  it("gives runs three intervals after a server restart before calling them Crashed", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "weir-liveness-restart-"));
    const options = {
      port: 0,
      dataDir,
      uiDir: join(dataDir, "no-ui"),
      apiKey: "",
      logger: false,
      livenessCheckIntervalMs: 50,
    };
    const first = await startServer(options);
    const created = await fetch(`${first.url}/api/runs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ flowName: "outlives-restart", state: "Running", heartbeatIntervalSeconds: 0.3 }),
    }).then((r) => r.json() as Promise<Run>);
    await first.close();
    // The server stays down for longer than three intervals, as in a real outage.
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const second = await startServer(options);
    try {
      await new Promise((resolve) => setTimeout(resolve, 400));
      const afterRestart = await fetch(`${second.url}/api/runs/${created.id}`).then(
        (r) => r.json() as Promise<Run>,
      );
      expect(afterRestart.state).toBe("Running");
      // With no heartbeat after the restart either, the run is Crashed once the grace period ends.
      const crashed = await waitFor(
        () => fetch(`${second.url}/api/runs/${created.id}`).then((r) => r.json() as Promise<Run>),
        (run) => run.state === "Crashed",
        5_000,
      );
      expect(crashed.state).toBe("Crashed");
    } finally {
      await second.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
