import { startServer } from "@weir/server";
import type { WeirServer } from "@weir/server";
import { probePostgres, requireService, startTempServer } from "@weir/test-support";
import type { TempServer } from "@weir/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeClient, configure, flow, logMetric, task } from "./index.js";
import { getAll, getJson, getLogs, getRun, tempDir } from "../test/harness.js";
import type { RunView } from "../test/harness.js";

const postgres = await requireService("PostgreSQL", () => probePostgres());

describe.skipIf(postgres.skip)("a flow against a server on PostgreSQL", () => {
  const tmp = tempDir();
  let server: TempServer<WeirServer>;

  beforeAll(async () => {
    server = await startTempServer(startServer, { dataDir: tmp.dir, postgresUrl: postgres.value });
    configure({ apiUrl: server.url, home: `${tmp.dir}/client`, printLogs: false, batchIntervalMs: 100 });
  });

  afterAll(async () => {
    await closeClient();
    await server.close();
    tmp.remove();
  });

  it("records the run, its task runs, logs, metrics and checkpoint", async () => {
    let runId = "";
    const square = task({ name: "square" }, (n: number) => n * n);
    const pipeline = flow({ name: "pg-pipeline" }, async (_: void, ctx) => {
      runId = ctx.runId;
      for (let i = 0; i < 3; i++) {
        ctx.logger.info(`step ${i}`);
        logMetric("value", await square(i), { step: i });
      }
      await ctx.checkpoint.save("last", { step: 2 });
    });
    await pipeline();
    expect((await getRun(server.url, runId)).state).toBe("Completed");
    expect((await getLogs(server.url, runId)).map((l) => l.message)).toEqual(["step 0", "step 1", "step 2"]);
    const tasks = await getAll<RunView>(server.url, `/api/runs?kind=task&flowRunId=${runId}`);
    expect(tasks.map((t) => t.state)).toEqual(["Completed", "Completed", "Completed"]);
    const series = await getJson<Array<{ name: string; points: Array<{ value: number }> }>>(
      server.url,
      `/api/runs/${runId}/metrics`,
    );
    expect(series[0]?.points.map((p) => p.value)).toEqual([0, 1, 4]);
    expect(await getJson<{ value: unknown }>(server.url, "/api/checkpoints/pg-pipeline/last")).toMatchObject({
      value: { step: 2 },
    });
  });
});
