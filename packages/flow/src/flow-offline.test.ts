import { setTimeout as delay } from "node:timers/promises";
import { startServer } from "@weir/server";
import { describe, expect, it } from "vitest";
import { closeClient, configure, flow, logMetric, WeirCheckpointError } from "./index.js";
import type { LogView } from "../test/harness.js";
import {
  closedPortUrl,
  getJson,
  getLogs,
  getRun,
  runFixture,
  waitFor,
  serverSuite,
} from "../test/harness.js";

const { tmp, server } = serverSuite();

function expectInOrderOnce(logs: LogView[], prefix: string, count: number): void {
  const lines = logs.filter((l) => l.message.startsWith(prefix));
  expect(lines).toHaveLength(count);
  lines.forEach((line, i) => expect(line.message).toBe(`${prefix}${i}`));
  const seqs = logs.map((l) => l.seq);
  expect(new Set(seqs).size).toBe(seqs.length);
  expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
}

describe("the offline spool", () => {
  it("stores every log line and metric point written while the server was down for 10 s, in order, once", async () => {
    const dataDir = `${tmp.dir}/outage-server`;
    const first = await server(dataDir);
    configure({
      apiUrl: first.url,
      home: `${tmp.dir}/outage-client`,
      printLogs: false,
      batchIntervalMs: 200,
    });
    let runId = "";
    let downFor = 0;
    const writer = flow({ name: "outage-writer" }, async (_: void, ctx) => {
      runId = ctx.runId;
      ctx.logger.info("before the outage");
      await delay(300);
      await first.close();
      const downAt = Date.now();
      for (let i = 0; i < 5000; i++) {
        ctx.logger.info(`line ${i}`, { i });
        if (i % 5 === 0) logMetric("loss", 1 / (i + 1), { step: i / 5 });
        if (i % 100 === 99) await delay(200); // 50 pauses: the writing spans the 10 s outage
      }
      const second = await server(dataDir, first.port);
      downFor = Date.now() - downAt;
      void second;
      ctx.logger.info("after the outage");
    });
    await writer();
    expect(downFor).toBeGreaterThanOrEqual(10_000);
    const url = first.url;
    const logs = await waitFor(
      async () => {
        const all = await getLogs(url, runId);
        return all.length >= 5002 ? all : undefined;
      },
      30_000,
      "all 5,002 log lines",
    );
    expect(logs).toHaveLength(5002);
    expect(logs[0]?.message).toBe("before the outage");
    expect(logs.at(-1)?.message).toBe("after the outage");
    expectInOrderOnce(logs, "line ", 5000);
    const series = await getJson<Array<{ name: string; points: Array<{ step: number }> }>>(
      url,
      `/api/runs/${runId}/metrics`,
    );
    const loss = series.find((s) => s.name === "loss")?.points ?? [];
    expect(loss.map((p) => p.step)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    await waitFor(
      async () => ((await getRun(url, runId)).state === "Completed" ? true : undefined),
      10_000,
      "Completed",
    );
  }, 60_000);

  it("creates a run while the server is down and delivers it, with its logs, when the server is back", async () => {
    const dataDir = `${tmp.dir}/down-server`;
    const first = await server(dataDir);
    await first.close();
    configure({
      apiUrl: first.url,
      home: `${tmp.dir}/down-client`,
      printLogs: false,
      batchIntervalMs: 100,
      flushTimeoutMs: 1_000, // the end of the run tries to reach the server this long, then spools
    });
    let runId = "";
    const started = Date.now();
    const offline = flow({ name: "born-offline" }, (_: void, ctx) => {
      runId = ctx.runId;
      for (let i = 0; i < 10; i++) ctx.logger.info(`line ${i}`);
      return "done";
    });
    expect(await offline()).toBe("done");
    expect(Date.now() - started).toBeLessThan(5_000);
    await server(dataDir, first.port);
    const run = await waitFor(
      async () => {
        const r = await getRun(first.url, runId).catch(() => undefined);
        return r?.state === "Completed" ? r : undefined;
      },
      20_000,
      "the run to be Completed",
    );
    expect(run.flowName).toBe("born-offline");
    expectInOrderOnce(await getLogs(first.url, runId), "line ", 10);
  });

  it("gives up on a checkpoint after checkpointTimeoutMs when the server is down, with WeirCheckpointError", async () => {
    configure({
      apiUrl: await closedPortUrl(),
      home: `${tmp.dir}/checkpoint-client`,
      printLogs: false,
      checkpointTimeoutMs: 500,
      flushTimeoutMs: 300,
    });
    const needsCheckpoint = flow({ name: "needs-checkpoint" }, (_: void, ctx) =>
      ctx.checkpoint.load("state"),
    );
    const error = await needsCheckpoint().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WeirCheckpointError);
    expect((error as Error).message).toMatch(
      /within checkpointTimeoutMs=500: WeirApiError: Could not reach the Weir server/,
    );
  });

  it("bounds the spool, and logs how many lines were dropped once the server is back", async () => {
    const dataDir = `${tmp.dir}/bound-server`;
    const first = await server(dataDir);
    configure({
      apiUrl: first.url,
      home: `${tmp.dir}/bound-client`,
      printLogs: false,
      batchIntervalMs: 100,
      spoolMaxBytes: 64 * 1024,
    });
    let runId = "";
    const writer = flow({ name: "bounded" }, async (_: void, ctx) => {
      runId = ctx.runId;
      await delay(300);
      await first.close();
      for (let i = 0; i < 2000; i++) ctx.logger.info(`line ${i} ${"x".repeat(100)}`);
      await server(dataDir, first.port);
    });
    await writer();
    const warning = await waitFor(
      async () => {
        const logs = await getLogs(first.url, runId);
        return logs.find((l) => l.level === "warning" && l.message.includes("dropped"));
      },
      20_000,
      "the dropped-lines warning",
    );
    const stored = (await getLogs(first.url, runId)).filter((l) => l.message.startsWith("line "));
    const dropped = (warning.fields as { droppedLogs: number }).droppedLogs;
    expect(dropped).toBeGreaterThan(0);
    expect(stored.length + dropped).toBe(2000);
    expect(stored.map((l) => l.message.split(" ")[1])).toEqual(
      Array.from({ length: stored.length }, (_, i) => String(i)),
    );
  });

  it("replays the spool a process left behind when it exited while the server was down", async () => {
    const dataDir = `${tmp.dir}/orphan-server`;
    const live = await server(dataDir);
    const home = `${tmp.dir}/orphan-client`;
    const fixture = runFixture("offline-flow.ts", {
      WEIR_API_URL: await closedPortUrl(),
      WEIR_HOME: home,
      WEIR_FLUSH_TIMEOUT_MS: "300",
      FIXTURE_LINES: "100",
    });
    const runId = (await fixture.waitForLine("RUN ")).slice(4);
    expect((await fixture.exited).code).toBe(0);
    configure({ apiUrl: live.url, home, printLogs: false, batchIntervalMs: 100 });
    await flow({ name: "adopter" }, () => undefined)();
    const logs = await waitFor(
      async () => {
        const all = await getLogs(live.url, runId).catch(() => []);
        return all.length === 100 ? all : undefined;
      },
      20_000,
      "the orphaned spool to be replayed",
    );
    expectInOrderOnce(logs, "offline line ", 100);
    expect((await getRun(live.url, runId)).state).toBe("Completed");
  });
});

describe("many writers", () => {
  it("stores everything from 50 flows in 5 processes writing logs at once to a SQLite server", async () => {
    const target = await server(`${tmp.dir}/many-server`);
    const fixtures = Array.from({ length: 5 }, (_, p) =>
      runFixture("many-flows.ts", {
        WEIR_API_URL: target.url,
        WEIR_HOME: `${tmp.dir}/many-${p}`,
        WEIR_BATCH_INTERVAL_MS: "50",
        FIXTURE_FLOWS: "10",
        FIXTURE_LINES: "200",
      }),
    );
    const exits = await Promise.all(fixtures.map((f) => f.exited));
    expect(exits.map((e) => e.code)).toEqual([0, 0, 0, 0, 0]);
    for (const f of fixtures) expect(f.stderr.join("")).not.toMatch(/weir:|Error/);
    const runIds = fixtures.flatMap((f) =>
      f.lines.filter((l) => l.startsWith("RUN ")).map((l) => l.slice(4)),
    );
    expect(runIds).toHaveLength(50);
    for (const runId of runIds) {
      const logs = await getLogs(target.url, runId);
      expect(logs).toHaveLength(200);
      expect((await getRun(target.url, runId)).state).toBe("Completed");
    }
  }, 60_000);
});

describe("batches larger than the server's body limit", () => {
  it("splits a batch the server refuses as too large (413) until every line is stored", async () => {
    const dataDir = `${tmp.dir}/small-body-server`;
    const small = await startServer({ host: "127.0.0.1", port: 0, dataDir, bodyLimit: 64 * 1024 });
    try {
      configure({ apiUrl: small.url, home: `${tmp.dir}/small-body-client`, printLogs: false });
      let runId = "";
      await flow({ name: "big-lines" }, (_: void, ctx) => {
        runId = ctx.runId;
        for (let i = 0; i < 200; i++) ctx.logger.info(`line ${i} ${"x".repeat(2000)}`);
      })();
      const logs = await getLogs(small.url, runId);
      expect(logs.map((l) => l.message.split(" ")[1])).toEqual(
        Array.from({ length: 200 }, (_, i) => String(i)),
      );
      expect((await getRun(small.url, runId)).state).toBe("Completed");
    } finally {
      await closeClient();
      await small.close();
    }
  });
});
