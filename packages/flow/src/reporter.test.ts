import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ApiClient } from "./api-client.js";
import type { ApiResponse } from "./api-client.js";
import { resolveConfig } from "./config.js";
import { Reporter } from "./reporter.js";
import { Spool } from "./spool.js";
import { closedPortUrl, startTestServer, tempDir, waitFor } from "../test/harness.js";

const tmp = tempDir("weir-reporter-");
afterAll(() => tmp.remove());

const log = (seq: number) =>
  ({
    t: "log",
    log: {
      runId: "00000000-0000-4000-8000-000000000001",
      seq,
      level: "info",
      message: `line ${seq}`,
      timestamp: new Date().toISOString(),
    },
  }) as const;

describe("the reporter's memory bound", () => {
  it("never keeps more than maxQueueItems records in memory while the server is unreachable", async () => {
    const config = resolveConfig(
      { apiUrl: await closedPortUrl(), home: tmp.dir, maxQueueItems: 500, batchSize: 100 },
      {},
    );
    const spool = new Spool(path.join(tmp.dir, "spool"), { maxBytes: 1e9, segmentBytes: 1e6 });
    const reporter = new Reporter(config, new ApiClient(config), spool);
    let maxPending = 0;
    for (let seq = 1; seq <= 50_000; seq++) {
      reporter.enqueue(log(seq));
      maxPending = Math.max(maxPending, reporter.pending);
      if (seq % 5000 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    // Nothing could be delivered: after trying for its timeout the flush leaves it all in the spool.
    expect(await reporter.flush(500)).toBe(false);
    expect(maxPending).toBeLessThanOrEqual(500);
    expect(reporter.pending).toBe(0);
    expect(spool.bytes).toBeGreaterThan(50_000 * 50);
    reporter.closeSync();
  });

  it("keeps nothing in memory once the server stored the records", async () => {
    const server = await startTestServer({ dataDir: path.join(tmp.dir, "server") });
    try {
      const config = resolveConfig({ apiUrl: server.url, home: path.join(tmp.dir, "online") }, {});
      const reporter = new Reporter(
        config,
        new ApiClient(config),
        new Spool(path.join(tmp.dir, "online", "spool"), { maxBytes: 1e9, segmentBytes: 1e6 }),
      );
      for (let seq = 1; seq <= 20_000; seq++) reporter.enqueue(log(seq));
      expect(await reporter.flush(20_000)).toBe(true);
      expect(reporter.pending).toBe(0);
      expect(reporter.idle).toBe(true);
      reporter.closeSync();
    } finally {
      await server.close();
    }
  });
});

/** The real client, noting when each ingest request of records (not heartbeats) was answered. */
class TimedApi extends ApiClient {
  readonly answered: { at: number; logs: number }[] = [];
  override async ingest(body: Parameters<ApiClient["ingest"]>[0]): Promise<ApiResponse> {
    const response = await super.ingest(body);
    this.answered.push({ at: Date.now(), logs: body.logs?.length ?? 0 });
    return response;
  }
}

describe("the reporter's adaptive batch interval", () => {
  const withReporter = async (
    name: string,
    body: (reporter: Reporter, api: TimedApi) => Promise<void>,
  ): Promise<void> => {
    const server = await startTestServer({ dataDir: path.join(tmp.dir, `server-${name}`) });
    const config = resolveConfig({ apiUrl: server.url, home: path.join(tmp.dir, name) }, {});
    const api = new TimedApi(config);
    const reporter = new Reporter(
      config,
      api,
      new Spool(path.join(tmp.dir, name, "spool"), { maxBytes: 1e9, segmentBytes: 1e6 }),
    );
    try {
      expect(config.batchIntervalMs).toBe(1000);
      await body(reporter, api);
    } finally {
      reporter.closeSync();
      await server.close();
    }
  };

  it("sends a line at once when nothing was sent for an interval, a burst of one tick as one batch", async () => {
    await withReporter("idle", async (reporter, api) => {
      const queued = Date.now();
      for (let seq = 1; seq <= 3; seq++) reporter.enqueue(log(seq));
      await waitFor(() => api.answered[0]);
      expect(api.answered[0]!.at - queued).toBeLessThan(300);
      expect(api.answered[0]!.logs).toBe(3);
    });
  });

  it("batches lines queued within an interval of the last send, so that a busy flow sends no more requests", async () => {
    await withReporter("busy", async (reporter, api) => {
      const started = Date.now();
      for (let seq = 1; seq <= 100; seq++) {
        reporter.enqueue(log(seq));
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      const elapsed = Date.now() - started;
      expect(await reporter.flush(5000)).toBe(true);
      const logs = api.answered.reduce((n, a) => n + a.logs, 0);
      expect(logs).toBe(100);
      // One at once, then about one per interval (a fixed 1 s interval sends as many), plus the flush.
      expect(api.answered.length).toBeLessThanOrEqual(Math.ceil(elapsed / 1000) + 2);
      for (let i = 1; i < api.answered.length - 1; i++)
        expect(api.answered[i]!.at - api.answered[i - 1]!.at).toBeGreaterThan(800);
    });
  });
});
