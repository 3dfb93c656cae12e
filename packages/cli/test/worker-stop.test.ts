import type { Deployment, Run } from "@weir/protocol";
import { afterAll, describe, expect, it } from "vitest";

import {
  alive,
  api,
  backends,
  fixtures,
  getRun,
  startWeir,
  startWorker,
  starts,
  tempDir,
  waitFor,
} from "./worker-harness.js";

const tmp = tempDir();
afterAll(() => tmp.remove());

const GRACE_MS = 1000;

describe.each(backends)(
  "a worker stopping runs that ignore their signal ($backend)",
  ({ backend, skip, postgresUrl }) => {
    it.skipIf(skip)(
      "kills a cancelled CPU-bound run (pid gone, Cancelled) and a timed-out one (TimedOut) within grace + 2 s",
      async () => {
        const dir = `${tmp.dir}/${backend}`;
        const server = await startWeir(`${dir}-server`, postgresUrl);
        const worker = startWorker(
          server.url,
          ["--pool", "stop", "--limit", "2", "--grace-ms", String(GRACE_MS), "--heartbeat-ms", "500"],
          {
            FIXTURE_DIR: `${tmp.dir}`,
          },
        );
        try {
          const deploy = (name: string, extra: object): Promise<Deployment> =>
            api(server.url, "POST", "/deployments", {
              name,
              flowName: "fixture-burner",
              entrypoint: "./worker-flows.mjs:burner",
              workingDirectory: fixtures,
              workPool: "stop",
              ...extra,
            });
          // Cancel: a run burning CPU forever.
          const forever = await deploy(`burn-${backend}`, {});
          const run = await api<Run>(server.url, "POST", `/deployments/${forever.id}/runs`, {});
          const pid = await waitFor(
            () => starts(tmp.dir).find((s) => s.runId === run.id)?.pid,
            20_000,
            "the burner to start",
          );
          await waitFor(
            async () => ((await getRun(server.url, run.id)).state === "Running" ? true : undefined),
            10_000,
            "Running",
          );
          const requested = Date.now();
          const answer = await api<Run>(server.url, "POST", `/runs/${run.id}/cancel`, undefined, 202);
          expect(answer.state).toBe("Cancelling");
          await waitFor(
            () => (alive(pid) ? undefined : true),
            GRACE_MS + 2000,
            "the burner's process to be gone",
          );
          const cancelled = await waitFor(
            async () => {
              const r = await getRun(server.url, run.id);
              return r.state === "Cancelled" ? r : undefined;
            },
            GRACE_MS + 2000 - (Date.now() - requested),
            "the run to be Cancelled",
          );
          expect(Date.now() - requested).toBeLessThan(GRACE_MS + 2000);
          expect(cancelled.stateMessage).toMatch(/Cancelled on request|cancel/i);

          // Hard timeout: a 2 s timeout on a 6 s synchronous loop.
          const bounded = await deploy(`timeout-${backend}`, { timeoutSeconds: 2, parameters: { ms: 6000 } });
          const slow = await api<Run>(server.url, "POST", `/deployments/${bounded.id}/runs`, {});
          const slowPid = await waitFor(
            () => starts(tmp.dir).find((s) => s.runId === slow.id)?.pid,
            20_000,
            "the loop to start",
          );
          const startedAt = Date.now();
          const timedOut = await waitFor(
            async () => {
              const r = await getRun(server.url, slow.id);
              return r.state === "TimedOut" ? r : undefined;
            },
            2000 + GRACE_MS + 2500,
            "the run to be TimedOut",
          );
          expect(Date.now() - startedAt).toBeLessThan(2000 + GRACE_MS + 2000);
          expect(timedOut.stateMessage).toMatch(/timeout/i);
          expect(alive(slowPid)).toBe(false);
          // The second run went to a warm child (started ahead, handed the run over IPC): same kill semantics.
          expect(worker.output()).toMatch(new RegExp(`started run ${slow.id} .*\\(warm\\)`));
        } finally {
          worker.child.kill("SIGTERM");
          await worker.exited;
          await server.close();
        }
      },
    );
  },
);

describe("a worker's shutdown and unusable entrypoints", () => {
  it("records a run Failed when its export is not a flow; on SIGTERM lets runs finish for the grace period, then cancels the rest", async () => {
    const dir = `${tmp.dir}/shutdown`;
    const { mkdirSync } = await import("node:fs");
    mkdirSync(dir, { recursive: true });
    const server = await startWeir(`${dir}-server`, undefined);
    const worker = startWorker(
      server.url,
      ["--pool", "drain", "--limit", "3", "--grace-ms", "2000", "--heartbeat-ms", "500"],
      {
        FIXTURE_DIR: dir,
      },
    );
    try {
      const deploy = (name: string, entrypoint: string, extra: object = {}): Promise<Deployment> =>
        api(server.url, "POST", "/deployments", {
          name,
          flowName: name,
          entrypoint,
          workingDirectory: fixtures,
          workPool: "drain",
          ...extra,
        });
      const plain = await deploy("plain", "./worker-flows.mjs:plain");
      const refused = await api<Run>(server.url, "POST", `/deployments/${plain.id}/runs`, {});
      const failed = await waitFor(
        async () => {
          const r = await getRun(server.url, refused.id);
          return r.state === "Failed" ? r : undefined;
        },
        30_000,
        "the run of a non-flow export to fail",
      );
      expect(failed.stateMessage).toMatch(/no flow exported as "plain"/);

      const short = await deploy("short", "./worker-flows.mjs:quick", { parameters: { sleepMs: 1000 } });
      const long = await deploy("long", "./worker-flows.mjs:quick", { parameters: { sleepMs: 60_000 } });
      const runs = [
        await api<Run>(server.url, "POST", `/deployments/${short.id}/runs`, {}),
        await api<Run>(server.url, "POST", `/deployments/${long.id}/runs`, {}),
      ];
      await waitFor(() => (starts(dir).length === 2 ? true : undefined), 30_000, "both runs to start");
      const stoppedAt = Date.now();
      worker.child.kill("SIGTERM");
      expect((await worker.exited).code).toBe(0);
      expect(Date.now() - stoppedAt).toBeLessThan(2000 + 2000 + 2000);
      const [first, second] = await Promise.all(runs.map((r) => getRun(server.url, r.id)));
      expect(first?.state).toBe("Completed");
      expect(second?.state, `${second?.stateMessage}\n${worker.output()}`).toBe("Cancelled");
      expect(worker.output()).toContain("worker stopped.");
    } finally {
      if (worker.child.exitCode === null) worker.child.kill("SIGKILL");
      await server.close();
    }
  });
});
