import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";

import type { Deployment, Run } from "@weir/protocol";
import { isTerminalState } from "@weir/protocol";
import { afterAll, describe, expect, it } from "vitest";

import {
  alive,
  api,
  backends,
  bin,
  deploymentRuns,
  fixtures,
  getRun,
  processesOf,
  startWeir,
  startWorker,
  starts,
  tempDir,
  waitFor,
} from "./worker-harness.js";

const tmp = tempDir();
afterAll(() => tmp.remove());

const GRACE_MS = 1000;
const WORKER_ARGS = [
  "--pool",
  "parent",
  "--limit",
  "2",
  "--grace-ms",
  String(GRACE_MS),
  "--heartbeat-ms",
  "500",
];

/**
 * A parent process (like `weir demo`) that starts `weir worker start --exit-with-parent` with its output
 * piped through the parent, and prints the worker's pid.
 */
function startParent(url: string, dir: string): { pid: number; workerPid: Promise<number> } {
  const script = `
    import { spawn } from "node:child_process";
    const worker = spawn(process.execPath, ${JSON.stringify([bin, "worker", "start", ...WORKER_ARGS, "--exit-with-parent"])},
      { stdio: ["ignore", "pipe", "pipe"], detached: true });
    worker.stdout.pipe(process.stdout);
    worker.stderr.pipe(process.stderr);
    console.log("worker pid " + worker.pid);
    setInterval(() => {}, 60_000);`;
  const parent = spawn(process.execPath, ["--input-type=module", "-e", script], {
    env: { ...process.env, WEIR_API_URL: url, WEIR_API_KEY: "", WEIR_PRINT_LOGS: "0", FIXTURE_DIR: dir },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let text = "";
  const workerPid = new Promise<number>((resolve, reject) => {
    parent.stdout.on("data", (d: Buffer) => {
      text += d.toString();
      const match = /worker pid (\d+)/.exec(text);
      if (match) resolve(Number(match[1]));
    });
    parent.once("exit", () => reject(new Error(`the parent exited: ${text}`)));
  });
  workerPid.catch(() => undefined);
  return { pid: parent.pid as number, workerPid };
}

describe.each(backends)(
  "a worker whose parent dies, then a worker shut down ($backend)",
  ({ backend, skip, postgresUrl }) => {
    it.skipIf(skip)(
      "--exit-with-parent: SIGKILL the parent and the worker, its run's process and its warm children are gone within 5 s; " +
        "the run ends without a cancel request and, under on-failure, another worker restarts it; that worker's SIGTERM " +
        "shutdown does the same, and leaves no process behind",
      { timeout: 120_000 },
      async () => {
        const dir = `${tmp.dir}/${backend}`;
        mkdirSync(dir, { recursive: true });
        const server = await startWeir(`${dir}-server`, postgresUrl);
        const parent = startParent(server.url, dir);
        let second: ReturnType<typeof startWorker> | undefined;
        try {
          const deployment = await api<Deployment>(server.url, "POST", "/deployments", {
            name: `forever-${backend}`,
            flowName: "fixture-quick",
            entrypoint: "./worker-flows.mjs:quick",
            workingDirectory: fixtures,
            workPool: "parent",
            parameters: { sleepMs: 600_000 },
            restartPolicy: { mode: "on-failure", initialDelayMs: 100, maxDelayMs: 1000 },
          });
          const workerPid = await parent.workerPid;
          const first = await api<Run>(server.url, "POST", `/deployments/${deployment.id}/runs`, {});
          const runPid = await waitFor(
            () => starts(dir).find((s) => s.runId === first.id)?.pid,
            30_000,
            "the run's code to start",
          );
          // The worker keeps warm children once it has run something: wait for them, they must go too.
          await waitFor(() => (processesOf(dir).length >= 4 ? true : undefined), 20_000, "warm children");
          const before = processesOf(dir);
          expect(before).toEqual(expect.arrayContaining([workerPid, runPid]));

          const killedAt = Date.now();
          process.kill(parent.pid, "SIGKILL");
          await waitFor(
            () => (processesOf(dir).length === 0 ? true : undefined),
            5000,
            "every process to be gone",
          );
          expect(Date.now() - killedAt).toBeLessThan(5000);
          for (const pid of before) expect(alive(pid)).toBe(false);
          const ended = await waitFor(
            async () => {
              const r = await getRun(server.url, first.id);
              return isTerminalState(r.state) ? r : undefined;
            },
            5000,
            "the run to end",
          );
          expect(["Cancelled", "Crashed"]).toContain(ended.state);
          expect(ended.cancelRequestedAt).toBeNull();

          // Another worker takes the restart (a new run linked to the first).
          second = startWorker(server.url, WORKER_ARGS, { FIXTURE_DIR: dir });
          const restart = await waitFor(
            async () =>
              (await deploymentRuns(server.url, deployment.id)).find((r) => r.restartOf === first.id),
            10_000,
            "the restart",
          );
          await waitFor(() => starts(dir).find((s) => s.runId === restart.id), 30_000, "the restart to run");

          // A worker's shutdown is not a cancel either: the run it stops is restarted (here: queued).
          second.child.kill("SIGTERM");
          expect((await second.exited).code).toBe(0);
          expect(processesOf(dir)).toEqual([]);
          const stopped = await getRun(server.url, restart.id);
          expect(["Cancelled", "Crashed"], stopped.stateMessage ?? "").toContain(stopped.state);
          expect(stopped.cancelRequestedAt).toBeNull();
          const again = (await deploymentRuns(server.url, deployment.id)).find(
            (r) => r.restartOf === restart.id,
          );
          expect(again?.state).toBe("Pending");

          // A cancel requested through the API is final: never restarted.
          await api(server.url, "POST", `/runs/${again!.id}/cancel`, undefined, 202);
          const runs = await deploymentRuns(server.url, deployment.id);
          expect(runs.find((r) => r.id === again!.id)?.state).toBe("Cancelled");
          expect(runs.find((r) => r.restartOf === again!.id)).toBeUndefined();
        } finally {
          try {
            process.kill(parent.pid, "SIGKILL");
          } catch {
            // already gone
          }
          if (second !== undefined && second.child.exitCode === null) second.child.kill("SIGKILL");
          for (const pid of processesOf(dir)) process.kill(pid, "SIGKILL");
          await server.close();
        }
      },
    );
  },
);
