import { writeFileSync } from "node:fs";
import net from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { configure, flow } from "./index.js";
import { getHistory, getLogs, getRun, runFixture, waitFor, serverSuite } from "../test/harness.js";

const { tmp, server } = serverSuite({ livenessCheckIntervalMs: 100 });

const stateOf = (url: string, runId: string, state: string) => async () =>
  (await getRun(url, runId).catch(() => undefined))?.state === state ? true : undefined;

/** A TCP proxy to `port` that can cut every connection and refuse new ones: a network partition. */
async function partitionable(
  port: number,
): Promise<{ url: string; cut(): Promise<void>; heal(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const listen = async (listenPort: number): Promise<net.Server> => {
    const proxy = net.createServer((client) => {
      const upstream = net.connect(port, "127.0.0.1");
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on("close", () => sockets.delete(s));
        s.on("error", () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => proxy.listen(listenPort, "127.0.0.1", resolve));
    return proxy;
  };
  let proxy = await listen(0);
  const proxyPort = (proxy.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${proxyPort}`,
    async cut() {
      const closed = new Promise((resolve) => proxy.close(resolve));
      for (const s of sockets) s.destroy();
      await closed;
    },
    async heal() {
      proxy = await listen(proxyPort);
    },
  };
}

describe("a run the liveness check marked Crashed while it was alive", () => {
  it("ends with the final state of its spool, replayed after the verdict by another process, keeping both in the history", async () => {
    const dataDir = `${tmp.dir}/replay-server`;
    const home = `${tmp.dir}/replay-client`;
    const first = await server(dataDir);
    const trigger = `${tmp.dir}/replay-return`;
    const fixture = runFixture("final-flush-flow.ts", {
      WEIR_API_URL: first.url,
      WEIR_HOME: home,
      WEIR_BATCH_INTERVAL_MS: "100",
      FIXTURE_TRIGGER: trigger,
      FIXTURE_HEARTBEAT_SECONDS: "0.3",
      WEIR_FLUSH_TIMEOUT_MS: "300",
    });
    const runId = (await fixture.waitForLine("RUN ")).slice(4);
    await waitFor(stateOf(first.url, runId, "Running"), 10_000, "the run on the server");
    await first.close();
    await delay(500);
    writeFileSync(trigger, ""); // the flow returns while the server is down
    expect((await fixture.exited).code).toBe(0);
    const lines = Number((fixture.lines.find((l) => l.startsWith("LINES ")) ?? "").slice(6));

    // Back up with no heartbeat to hear: the liveness check calls the run Crashed.
    const second = await server(dataDir, first.port);
    await waitFor(stateOf(second.url, runId, "Crashed"), 10_000, "the liveness verdict");

    configure({ apiUrl: second.url, home, printLogs: false, batchIntervalMs: 100 });
    await flow({ name: "adopter" }, () => undefined)(); // replays the spool the process left
    await waitFor(stateOf(second.url, runId, "Completed"), 10_000, "the replayed final state");
    const history = await getHistory(second.url, runId);
    expect(history.map((h) => h.type)).toEqual(["Running", "Crashed", "Completed"]);
    expect(history[1]?.message).toMatch(/^No heartbeat for/);
    const run = await getRun(second.url, runId);
    expect(run.endTime).toBe(history[2]?.timestamp);
    expect(Date.parse(run.endTime ?? "")).toBeLessThan(Date.parse(history[1]?.timestamp ?? ""));
    expect(await getLogs(second.url, runId)).toHaveLength(lines);
  }, 40_000);

  it("is Running again when its heartbeats come back after a network partition, with a log line saying so", async () => {
    const live = await server(`${tmp.dir}/partition-server`);
    const network = await partitionable(live.port);
    configure({
      apiUrl: network.url,
      home: `${tmp.dir}/partition-client`,
      printLogs: false,
      batchIntervalMs: 100,
    });
    let runId = "";
    const partitioned = flow({ name: "partitioned", heartbeatIntervalMs: 200 }, async (_: void, ctx) => {
      runId = ctx.runId;
      ctx.logger.info("before the partition");
      await waitFor(stateOf(live.url, runId, "Running"), 10_000, "the run on the server");
      await network.cut();
      await waitFor(stateOf(live.url, runId, "Crashed"), 10_000, "the liveness verdict");
      ctx.logger.info("during the partition");
      await network.heal();
      await waitFor(stateOf(live.url, runId, "Running"), 15_000, "the run to be revived");
      await waitFor(
        async () => (await getLogs(live.url, runId)).find((l) => l.level === "warning"),
        10_000,
        "the revival warning",
      );
      ctx.logger.info("after the partition");
    });
    await partitioned();
    const run = await getRun(live.url, runId);
    expect(run.state).toBe("Completed");
    expect(run.runCount).toBe(1);
    expect((await getHistory(live.url, runId)).map((h) => h.type)).toEqual([
      "Running",
      "Crashed",
      "Running",
      "Completed",
    ]);
    const logs = await getLogs(live.url, runId);
    expect(logs.map((l) => l.message)).toEqual([
      "before the partition",
      "during the partition",
      expect.stringMatching(/marked this run Crashed .* back to Running/) as unknown,
      "after the partition",
    ]);
  }, 40_000);
});
