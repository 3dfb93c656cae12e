import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeClient, configure, flow } from "./index.js";
import type { TestServer } from "../test/harness.js";
import {
  getLogs,
  getRun,
  getStates,
  runFixture,
  startTestServer,
  tempDir,
  waitFor,
} from "../test/harness.js";

let server: TestServer;
const tmp = tempDir();

beforeAll(async () => {
  server = await startTestServer({ dataDir: `${tmp.dir}/server`, livenessCheckIntervalMs: 100 });
});

afterAll(async () => {
  await server.close();
  tmp.remove();
});

const runningOnServer = (runId: string) => async () =>
  (await getRun(server.url, runId)).state === "Running" ? true : undefined;

describe("process signals and crashes", () => {
  it("ends a run Cancelled on SIGTERM after the flow saw ctx.signal aborted, then the process dies of SIGTERM", async () => {
    const fixture = runFixture("long-running-flow.ts", {
      WEIR_API_URL: server.url,
      WEIR_HOME: `${tmp.dir}/sigterm`,
      WEIR_BATCH_INTERVAL_MS: "100",
    });
    const runId = (await fixture.waitForLine("READY ")).slice("READY ".length);
    await waitFor(runningOnServer(runId), 15_000, "the run to be Running on the server");
    fixture.child.kill("SIGTERM");
    const exit = await fixture.exited;
    expect(exit.signal).toBe("SIGTERM");
    expect(fixture.lines).toContain("ABORTED WeirCancelledError");
    expect(fixture.lines).toContain("HOOK Cancelled");
    expect(fixture.lines).not.toContain("RETURNED");
    const run = await getRun(server.url, runId);
    expect(run.state).toBe("Cancelled");
    expect(await getStates(server.url, runId)).toEqual(["Running", "Cancelling", "Cancelled"]);
    const logs = await getLogs(server.url, runId);
    expect(logs.some((l) => l.level === "warning" && l.message.startsWith("stopping:"))).toBe(true);
  });

  it("marks a run that ignores its aborted signal Cancelled after the grace period, then the process dies", async () => {
    const fixture = runFixture("long-running-flow.ts", {
      WEIR_API_URL: server.url,
      WEIR_HOME: `${tmp.dir}/stubborn`,
      WEIR_BATCH_INTERVAL_MS: "100",
      WEIR_SHUTDOWN_GRACE_MS: "500",
      FIXTURE_IGNORE_ABORT: "1",
    });
    const runId = (await fixture.waitForLine("READY ")).slice("READY ".length);
    await waitFor(runningOnServer(runId), 15_000, "the run to be Running on the server");
    fixture.child.kill("SIGINT");
    expect((await fixture.exited).signal).toBe("SIGINT");
    expect(fixture.lines).toContain("HOOK Cancelled");
    const run = await getRun(server.url, runId);
    expect(run.state).toBe("Cancelled");
    expect(run.stateMessage).toMatch(/did not stop within the 0.5 s grace period after SIGINT/);
  });

  it("gets a SIGKILLed flow process's run marked Crashed by the server's liveness check", async () => {
    const fixture = runFixture("long-running-flow.ts", {
      WEIR_API_URL: server.url,
      WEIR_HOME: `${tmp.dir}/sigkill`,
      WEIR_BATCH_INTERVAL_MS: "100",
      FIXTURE_HEARTBEAT_SECONDS: "0.5",
    });
    const runId = (await fixture.waitForLine("READY ")).slice("READY ".length);
    await waitFor(runningOnServer(runId), 15_000, "the run to be Running on the server");
    fixture.child.kill("SIGKILL");
    expect((await fixture.exited).signal).toBe("SIGKILL");
    const crashed = await waitFor(
      async () => {
        const run = await getRun(server.url, runId);
        return run.state === "Crashed" ? run : undefined;
      },
      10_000,
      "the run to be Crashed",
    );
    expect(crashed.stateMessage).toMatch(/heartbeat/i);
  });
});

describe("a process that runs out of work mid-run", () => {
  it("records the run Crashed (with a message) and calls onCrashed when its function can never settle", async () => {
    const fixture = runFixture("stuck-flow.ts", { WEIR_API_URL: server.url, WEIR_HOME: `${tmp.dir}/stuck` });
    const runId = (await fixture.waitForLine("RUN ")).slice(4);
    await fixture.exited;
    expect(fixture.lines).toContain("HOOK Crashed");
    const run = await getRun(server.url, runId);
    expect(run.state).toBe("Crashed");
    expect(run.stateMessage).toMatch(/ran out of work/);
  });
});

describe("a process that dies of an uncaught exception mid-run", () => {
  it("writes the run's Crashed state to the spool at exit, and the next process delivers it", async () => {
    const home = `${tmp.dir}/uncaught`;
    const fixture = runFixture("throwing-flow.ts", {
      WEIR_API_URL: server.url,
      WEIR_HOME: home,
      WEIR_BATCH_INTERVAL_MS: "100",
    });
    const runId = (await fixture.waitForLine("RUN ")).slice(4);
    expect((await fixture.exited).code).toBe(1);
    expect((await getRun(server.url, runId)).state).toBe("Running");
    configure({ apiUrl: server.url, home, printLogs: false, batchIntervalMs: 100 });
    try {
      await flow({ name: "next-process" }, () => undefined)();
      const run = await waitFor(
        async () => {
          const r = await getRun(server.url, runId);
          return r.state === "Crashed" ? r : undefined;
        },
        10_000,
        "the spooled Crashed state",
      );
      expect(run.stateMessage).toMatch(/process exited \(code 1\)/);
    } finally {
      await closeClient();
    }
  });
});
