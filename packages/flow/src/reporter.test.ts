import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ApiClient } from "./api-client.js";
import { resolveConfig } from "./config.js";
import { Reporter } from "./reporter.js";
import { Spool } from "./spool.js";
import { closedPortUrl, startTestServer, tempDir } from "../test/harness.js";

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
