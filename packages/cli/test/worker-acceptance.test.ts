import type { Deployment, Run } from "@weir/protocol";
import { isTerminalState } from "@weir/protocol";
import { afterAll, describe, expect, it } from "vitest";

import type { WorkerProcess } from "./worker-harness.js";
import {
  alive,
  api,
  backends,
  deploymentRuns,
  fixtures,
  processesOf,
  startWeir,
  startWorker,
  starts,
  tempDir,
  waitFor,
} from "./worker-harness.js";

const tmp = tempDir();
afterAll(() => tmp.remove());

const HEARTBEAT_MS = 1000;
const RUNS = 300;

describe.each(backends)("three workers on one pool ($backend)", ({ backend, skip, postgresUrl }) => {
  it.skipIf(skip)(
    `start each of ${RUNS} queued runs exactly once; a SIGKILLed worker's runs are Crashed within 3 heartbeats and restarted elsewhere`,
    { timeout: 300_000 },
    async () => {
      const dir = `${tmp.dir}/${backend}`;
      const server = await startWeir(`${dir}-server`, postgresUrl);
      const workers: WorkerProcess[] = [];
      try {
        const deploy = (name: string, extra: object): Promise<Deployment> =>
          api(server.url, "POST", "/deployments", {
            name,
            flowName: "fixture-quick",
            entrypoint: "./worker-flows.mjs:quick",
            workingDirectory: fixtures,
            workPool: "acceptance",
            ...extra,
          });
        const bulk = await deploy("bulk", {});
        const queued: string[] = [];
        for (let i = 0; i < RUNS; i += 20) {
          const batch = Array.from({ length: Math.min(20, RUNS - i) }, () =>
            api<Run>(server.url, "POST", `/deployments/${bulk.id}/runs`, {}),
          );
          queued.push(...(await Promise.all(batch)).map((r) => r.id));
        }
        const env = { FIXTURE_DIR: dir };
        const { mkdirSync } = await import("node:fs");
        mkdirSync(dir, { recursive: true });
        for (let w = 0; w < 3; w++) {
          workers.push(
            startWorker(
              server.url,
              [
                "--pool",
                "acceptance",
                "--limit",
                "4",
                "--heartbeat-ms",
                String(HEARTBEAT_MS),
                "--grace-ms",
                "1000",
                "--name",
                `w${w}`,
              ],
              env,
            ),
          );
        }
        const finished = await waitFor(
          async () => {
            const runs = await deploymentRuns(server.url, bulk.id);
            return runs.length === RUNS && runs.every((r) => isTerminalState(r.state)) ? runs : undefined;
          },
          240_000,
          `all ${RUNS} runs to end`,
        );
        expect(finished.filter((r) => r.state !== "Completed")).toEqual([]);
        const started = starts(dir).map((s) => s.runId);
        expect(started).toHaveLength(RUNS);
        expect(new Set(started)).toEqual(new Set(queued));
        expect(new Set(finished.map((r) => r.workerId)).size).toBeGreaterThan(1);

        // SIGKILL a worker in the middle of long runs.
        const long = await deploy("long", {
          parameters: { sleepMs: 120_000 },
          restartPolicy: { mode: "on-failure", initialDelayMs: 200 },
        });
        const longRuns = await Promise.all(
          Array.from({ length: 6 }, () => api<Run>(server.url, "POST", `/deployments/${long.id}/runs`, {})),
        );
        const running = await waitFor(
          async () => {
            const runs = await Promise.all(longRuns.map((r) => api<Run>(server.url, "GET", `/runs/${r.id}`)));
            return runs.every((r) => r.state === "Running") ? runs : undefined;
          },
          30_000,
          "the long runs to be Running",
        );
        const victimId = running[0]?.workerId as string;
        const victim = workers.find((w) => w.output().includes(`weir worker: ${victimId}`));
        expect(victim).toBeDefined();
        const lost = running.filter((r) => r.workerId === victimId);
        const lostPids = starts(dir)
          .filter((s) => lost.some((r) => r.id === s.runId))
          .map((s) => s.pid);
        victim?.child.kill("SIGKILL");
        const killedAt = Date.now();
        await waitFor(
          async () => {
            const runs = await Promise.all(lost.map((r) => api<Run>(server.url, "GET", `/runs/${r.id}`)));
            return runs.every((r) => r.state === "Crashed") ? true : undefined;
          },
          10_000,
          "the dead worker's runs to be Crashed",
        );
        // 3 missed heartbeats, plus one pass of the server's check (200 ms) and polling.
        expect(Date.now() - killedAt).toBeLessThan(3 * HEARTBEAT_MS + 1000);
        await waitFor(
          () => (lostPids.every((pid) => !alive(pid)) ? true : undefined),
          5000,
          "its children to die with it",
        );
        const restarts = await waitFor(
          async () => {
            const runs = await deploymentRuns(server.url, long.id);
            const again = runs.filter((r) => lost.some((l) => l.id === r.restartOf) && r.state === "Running");
            return again.length === lost.length ? again : undefined;
          },
          30_000,
          "the lost runs to be restarted and Running",
        );
        for (const run of restarts) expect(run.workerId).not.toBe(victimId);
        for (const run of await deploymentRuns(server.url, long.id)) {
          if (!isTerminalState(run.state))
            await api(server.url, "POST", `/runs/${run.id}/cancel`, undefined, 202);
        }
        for (const worker of workers) worker.child.kill("SIGTERM");
        await Promise.all(workers.map((w) => w.exited));
        // Nothing is left behind: not the SIGKILLed worker's run and warm children, not the others'.
        await waitFor(() => (processesOf(dir).length === 0 ? true : undefined), 5000, "no process left");
      } finally {
        for (const worker of workers) worker.child.kill("SIGTERM");
        await Promise.all(workers.map((w) => w.exited));
        await server.close();
      }
    },
  );
});
