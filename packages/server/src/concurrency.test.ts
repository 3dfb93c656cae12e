import type { IngestResult, LogLine, MetricSeries, Page, Run } from "@weir/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { BACKENDS, startTestServer, uuid } from "../test/backends.js";
import type { TestServer } from "../test/backends.js";

const FLOWS = 50;
const BATCHES = 10;
const LINES = 100;

describe.each(BACKENDS)("50 concurrent flows on $name", ({ name, skip }) => {
  let t: TestServer;
  beforeAll(async () => {
    if (!skip) t = await startTestServer(name);
  });
  afterAll(async () => {
    await t?.close();
  });

  it.skipIf(skip)("store every log line, metric and state with no error", async () => {
    const failures: string[] = [];
    const flowOnce = async (index: number): Promise<string> => {
      const run = await t.json<Run>("POST", "/api/runs", {
        flowName: `concurrent-${index % 5}`,
        state: "Running",
        heartbeatIntervalSeconds: 60,
      });
      let seq = 0;
      for (let b = 0; b < BATCHES; b++) {
        const logs = Array.from({ length: LINES }, () => ({
          runId: run.id,
          seq: seq++,
          level: "info",
          message: `flow ${index} line ${seq}`,
          fields: { index },
        }));
        const { status, body } = await t.call("POST", "/api/ingest", {
          logs,
          metrics: [{ runId: run.id, seq: b, name: "precision", value: b / 10, step: b }],
          heartbeats: [run.id],
        });
        if (status !== 200) failures.push(`${status} ${JSON.stringify(body)}`);
        else if ((body as IngestResult).accepted.logs !== LINES) failures.push(JSON.stringify(body));
      }
      const { status, body } = await t.call("POST", "/api/ingest", {
        states: [{ runId: run.id, id: uuid(), type: "Completed" }],
      });
      if (status !== 200 || (body as IngestResult).accepted.states !== 1) failures.push(JSON.stringify(body));
      await t.json("PUT", `/api/checkpoints/concurrent/shared`, { value: { by: index } });
      return run.id;
    };
    const ids = await Promise.all(Array.from({ length: FLOWS }, (_, i) => flowOnce(i)));
    expect(failures).toEqual([]);
    for (const id of ids) {
      const logs = await t.json<Page<LogLine>>("GET", `/api/runs/${id}/logs?order=desc&limit=1`);
      expect(logs.total).toBe(BATCHES * LINES);
      expect(logs.items[0]?.seq).toBe(BATCHES * LINES - 1);
      const series = await t.json<MetricSeries[]>("GET", `/api/runs/${id}/metrics`);
      expect(series[0]?.points).toHaveLength(BATCHES);
    }
    const completed = await t.json<Page<Run>>("GET", "/api/runs?state=Completed&limit=500");
    expect(completed.items.filter((r) => ids.includes(r.id))).toHaveLength(FLOWS);
    expect(await t.json("GET", "/api/checkpoints/concurrent/shared")).toMatchObject({ version: FLOWS });
  });
});
