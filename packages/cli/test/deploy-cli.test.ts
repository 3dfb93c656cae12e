import { execFile } from "node:child_process";
import { promisify } from "node:util";

import type { Deployment, Run } from "@weir/protocol";
import { startServer } from "@weir/server";
import { startTempServer } from "@weir/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { WorkerProcess } from "./worker-harness.js";
import { api, bin, fixtures, getRun, startWeir, startWorker, tempDir, waitFor } from "./worker-harness.js";

const exec = promisify(execFile);
const tmp = tempDir();
let server: Awaited<ReturnType<typeof startWeir>>;
let worker: WorkerProcess | undefined;

beforeAll(async () => {
  server = await startWeir(`${tmp.dir}/server`, undefined);
});
afterAll(async () => {
  worker?.child.kill("SIGTERM");
  await worker?.exited;
  await server.close();
  tmp.remove();
});

function weir(args: string[], env: Record<string, string> = {}) {
  return exec(process.execPath, [bin, ...args], {
    cwd: fixtures,
    env: { ...process.env, WEIR_API_URL: server.url, WEIR_API_KEY: "", ...env },
  });
}

async function fails(args: string[], env: Record<string, string> = {}): Promise<string> {
  const failure = (await weir(args, env).then(
    () => undefined,
    (e: unknown) => e,
  )) as { code: number; stderr: string } | undefined;
  expect(failure?.code).toBe(1);
  return failure?.stderr ?? "";
}

const finished = (id: string) => async () => {
  const run = await getRun(server.url, id);
  return run.state === "Completed" || run.state === "Failed" ? run : undefined;
};

// Each command is a process (and `weir deploy` loads the flow with tsx): generous limits on a busy machine.
describe("weir deploy, weir deployments and weir runs cancel/retry", { timeout: 120_000 }, () => {
  it("deploys a TypeScript flow with its parameter schema, schedule, pool, restart policy and timeout", async () => {
    const args = [
      "deploy",
      "./typed-flow.ts:monitor",
      "--name",
      "mon",
      "--interval",
      "60s",
      "--param",
      "threshold=0.7",
    ];
    const more = ["--pool", "cli", "--restart", "on-failure", "--timeout", "30", "--tag", "ml"];
    const { stdout } = await weir([...args, ...more]);
    expect(stdout).toMatch(/Deployed "mon" version 1 \(flow fixture-monitor, pool cli\)/);
    const d = await api<Deployment>(server.url, "GET", "/deployments/mon");
    expect(d).toMatchObject({
      flowName: "fixture-monitor",
      entrypoint: "./typed-flow.ts:monitor",
      workingDirectory: fixtures.replace(/\/$/, ""),
      parameters: { threshold: 0.7 },
      schedule: { intervalMs: 60_000 },
      workPool: "cli",
      restartPolicy: { mode: "on-failure" },
      timeoutSeconds: 30,
      tags: ["ml"],
    });
    expect(d.parameterSchema).toMatchObject({ properties: { threshold: { type: "number", maximum: 1 } } });
    expect((await weir([...args, ...more])).stdout).toMatch(/version 1/);
    const changed = [...args.slice(0, -1), "threshold=0.8", ...more];
    expect((await weir(changed)).stdout).toMatch(/version 2/);
  });

  it("refuses default parameters the flow's schema rejects, and an export that is not a flow", async () => {
    expect(
      await fails(["deploy", "./typed-flow.ts:monitor", "--name", "bad", "--param", "threshold=3"]),
    ).toMatch(/threshold/);
    expect(await fails(["deploy", "./worker-flows.mjs:plain", "--name", "plain"])).toMatch(
      /no flow exported as "plain"/,
    );
    expect(
      await fails([
        "deploy",
        "./typed-flow.ts:monitor",
        "--name",
        "x",
        "--cron",
        "* * * * *",
        "--interval",
        "5s",
      ]),
    ).toMatch(/--cron or --interval/);
  });

  it("lists, shows, pauses and resumes deployments", async () => {
    expect((await weir(["deployments", "ls"])).stdout).toMatch(
      /^NAME\s+VERSION\s+FLOW[\s\S]*\nmon\s+2\s+fixture-monitor\s+cli/,
    );
    expect((await weir(["deployments", "show", "mon"])).stdout).toMatch(
      /pool:\s+cli[\s\S]*restart:\s+on-failure/,
    );
    expect((await weir(["deployments", "pause", "mon"])).stdout).toContain("mon is paused.");
    expect((await api<Deployment>(server.url, "GET", "/deployments/mon")).paused).toBe(true);
    expect((await weir(["deployments", "resume", "mon"])).stdout).toContain("mon is active.");
  });

  it("runs a deployment now on a worker (refusing bad parameters with the schema's message), retries and cancels runs", async () => {
    expect(await fails(["deployments", "run", "mon", "--param", "threshold=3"])).toMatch(/threshold/);
    const { stdout } = await weir(["deployments", "run", "mon", "--param", "threshold=0.2"]);
    const runId = /Run (\S+) /.exec(stdout)?.[1] as string;
    expect(stdout).toMatch(/is Pending/);
    worker = startWorker(server.url, ["--pool", "cli", "--limit", "2", "--heartbeat-ms", "500"]);
    const run = await waitFor(finished(runId), 30_000, "the run to end");
    expect(run.state).toBe("Completed");
    expect(run.parameters).toEqual({ threshold: 0.2 });
    const retried = await weir(["runs", "retry", runId]);
    const retryId = /Run (\S+) /.exec(retried.stdout)?.[1] as string;
    const retry = await waitFor(finished(retryId), 30_000, "the retry to end");
    expect(retry).toMatchObject({ state: "Completed", retryOf: runId, parameters: { threshold: 0.2 } });
    expect(await fails(["runs", "retry", "00000000-0000-4000-8000-000000000000"])).toMatch(
      /does not exist|not found/i,
    );

    worker.child.kill("SIGTERM");
    await worker.exited;
    worker = undefined;
    const queued = /Run (\S+) /.exec((await weir(["deployments", "run", "mon"])).stdout)?.[1] as string;
    expect((await weir(["runs", "cancel", queued])).stdout).toContain("is Cancelled");
    expect((await getRun(server.url, queued)).state).toBe("Cancelled");
    expect(await fails(["runs", "cancel", queued])).toMatch(/Cancelled|ended|terminal/i);
  });

  it("removes a deployment", async () => {
    expect((await weir(["deployments", "rm", "mon"])).stdout).toContain("Deleted deployment mon.");
    expect(await fails(["deployments", "show", "mon"])).toMatch(/does not exist|not found/i);
  });

  it("sends WEIR_API_KEY and says so when a server that requires a key gets none", async () => {
    const keyed = await startTempServer((place) => startServer({ ...place, apiKey: "s3cret" }));
    try {
      const env = { WEIR_API_URL: keyed.url };
      const args = ["deploy", "./worker-flows.mjs:quick", "--name", "keyed"];
      expect(await fails(args, env)).toMatch(/set WEIR_API_KEY/);
      expect((await weir(args, { ...env, WEIR_API_KEY: "s3cret" })).stdout).toMatch(
        /Deployed "keyed" version 1/,
      );
      const run = await api<Run>(keyed.url, "GET", "/deployments/keyed").then(() =>
        weir(["deployments", "run", "keyed"], { ...env, WEIR_API_KEY: "s3cret" }),
      );
      expect(run.stdout).toMatch(/is Pending/);
    } finally {
      await keyed.close();
    }
  });
});
