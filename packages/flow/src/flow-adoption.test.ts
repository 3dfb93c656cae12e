import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeClient, configure, flow, WeirTimeoutError } from "./index.js";
import type { TestServer } from "../test/harness.js";
import { getHistory, getLogs, getRun, runFixture, startTestServer, tempDir } from "../test/harness.js";

let server: TestServer;
const tmp = tempDir();

beforeAll(async () => {
  server = await startTestServer({ dataDir: `${tmp.dir}/server` });
});

afterAll(async () => {
  await closeClient();
  await server.close();
  tmp.remove();
});

/** A run the server holds in Pending, as a worker's claim leaves it. */
async function pendingRun(name: string): Promise<string> {
  const id = randomUUID();
  const res = await fetch(`${server.url}/api/runs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ id, kind: "flow", flowName: "fixture-adopted", name, state: "Pending" }),
  });
  expect(res.status).toBe(201);
  return id;
}

function adopt(runId: string, parameters: unknown, extra: Record<string, string> = {}) {
  return runFixture("adopting-flow.ts", {
    WEIR_API_URL: server.url,
    WEIR_HOME: `${tmp.dir}/client-${runId}`,
    WEIR_RUN_ID: runId,
    WEIR_RUN_NAME: "adopted-otter",
    WEIR_PARAMETERS: JSON.stringify(parameters),
    ...extra,
  });
}

describe("a flow started for a run the server already has (WEIR_RUN_ID)", () => {
  it("adopts it: same id and name, Pending → Running → Completed, its logs on that run", async () => {
    const runId = await pendingRun("adopted-otter");
    const child = adopt(runId, { threshold: 0.25 });
    expect(await child.waitForLine("RUN ")).toBe(`RUN ${runId} adopted-otter`);
    expect((await child.exited).code).toBe(0);
    expect(child.lines).toContain("DONE");
    const run = await getRun(server.url, runId);
    expect(run.state).toBe("Completed");
    expect((await getHistory(server.url, runId)).map((s) => s.type)).toEqual([
      "Pending",
      "Running",
      "Completed",
    ]);
    expect((await getLogs(server.url, runId)).map((l) => l.message)).toContain("threshold 0.25");
    const all = (await (await fetch(`${server.url}/api/runs?flow=fixture-adopted&limit=50`)).json()) as {
      items: Array<{ id: string }>;
    };
    expect(all.items.filter((r) => r.id === runId)).toHaveLength(1);
  });

  it("refuses parameters its schema rejects: the run ends Failed naming the field, the call throws", async () => {
    const runId = await pendingRun("bad-params");
    const child = adopt(runId, { threshold: 3 });
    await child.exited;
    expect(child.lines).toContain("THREW WeirParameterError");
    expect(child.lines.some((l) => l.startsWith("RUN "))).toBe(false);
    const run = await getRun(server.url, runId);
    expect(run.state).toBe("Failed");
    expect(run.stateMessage).toMatch(/threshold/);
    expect(run.stateMessage).toMatch(/<=1/);
  });

  it("times out at WEIR_RUN_DEADLINE even when its code is a synchronous loop (TimedOut, not Completed)", async () => {
    const runId = await pendingRun("deadline");
    const deadline = new Date(Date.now() + 1500).toISOString();
    const child = adopt(runId, { threshold: 0.5 }, { WEIR_RUN_DEADLINE: deadline, FIXTURE_BUSY_MS: "3000" });
    await child.exited;
    expect(child.lines).toContain("THREW WeirTimeoutError");
    expect((await getRun(server.url, runId)).state).toBe("TimedOut");
  });

  it("is adopted once: a second flow call in the process creates a run of its own", async () => {
    const runId = await pendingRun("once");
    const child = adopt(runId, { threshold: 0.1 }, { FIXTURE_CALLS: "2" });
    await child.exited;
    const ids = child.lines.filter((l) => l.startsWith("RUN ")).map((l) => l.split(" ")[1]);
    expect(ids).toHaveLength(2);
    expect(ids[0]).toBe(runId);
    expect(ids[1]).not.toBe(runId);
    expect((await getRun(server.url, runId)).state).toBe("Completed");
    expect((await getRun(server.url, ids[1] as string)).state).toBe("Completed");
  });
});

describe("timeoutMs in-process", () => {
  it("ends a run whose synchronous code overran timeoutMs TimedOut instead of Completed", async () => {
    configure({ apiUrl: server.url, home: `${tmp.dir}/in-process`, printLogs: false, batchIntervalMs: 100 });
    let runId = "";
    const busy = flow({ name: "sync-overrun", timeoutMs: 200 }, (_: void, ctx) => {
      runId = ctx.runId;
      const until = Date.now() + 600;
      while (Date.now() < until) {
        // synchronous: no timer can fire
      }
      return "late";
    });
    await expect(busy()).rejects.toBeInstanceOf(WeirTimeoutError);
    expect((await getRun(server.url, runId)).state).toBe("TimedOut");
  });
});
