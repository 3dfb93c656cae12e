import { describe, expect, it } from "vitest";
import { flow, task, WeirArgumentError, WeirCheckpointError } from "./index.js";
import { getAll, getJson, getRun, getStates, useServerForFile } from "../test/harness.js";
import type { RunView } from "../test/harness.js";

const server = useServerForFile();

describe("child runs, task runs, checkpoints and artifacts", () => {
  it("records a flow called inside a flow as a child run of it", async () => {
    const ids = { parent: "", child: "" };
    const child = flow({ name: "child" }, (n: number, ctx) => {
      ids.child = ctx.runId;
      return n + 1;
    });
    const parent = flow({ name: "parent" }, async (_: void, ctx) => {
      ids.parent = ctx.runId;
      return child(1);
    });
    expect(await parent()).toBe(2);
    const childRun = await getRun(server.url, ids.child);
    expect(childRun).toMatchObject({
      kind: "flow",
      flowName: "child",
      parentRunId: ids.parent,
      state: "Completed",
    });
    expect((await getRun(server.url, ids.parent)).parentRunId).toBeNull();
  });

  it("records tasks as task runs of their flow run with their own states", async () => {
    let flowRunId = "";
    const double = task({ name: "double" }, (n: number) => n * 2);
    const failing = task({ name: "failing" }, () => {
      throw new Error("task failed");
    });
    const pipeline = flow({ name: "pipeline" }, async (_: void, ctx) => {
      flowRunId = ctx.runId;
      const values = await Promise.all([1, 2, 3].map((n) => double(n)));
      await failing().catch(() => undefined);
      return values;
    });
    expect(await pipeline()).toEqual([2, 4, 6]);
    const tasks = await getAll<RunView>(server.url, `/api/runs?kind=task&flowRunId=${flowRunId}`);
    expect(tasks).toHaveLength(4);
    for (const run of tasks) {
      expect(run).toMatchObject({ kind: "task", flowRunId, parentRunId: flowRunId, flowName: "pipeline" });
    }
    const byName = Object.fromEntries(tasks.map((t) => [t.name, t]));
    expect(Object.keys(byName).sort()).toEqual(["double-1", "double-2", "double-3", "failing-1"]);
    expect(byName["double-2"]?.state).toBe("Completed");
    expect(byName["double-2"]?.taskName).toBe("double");
    expect(byName["failing-1"]?.state).toBe("Failed");
    expect(await getStates(server.url, byName["failing-1"]?.id ?? "")).toEqual(["Running", "Failed"]);
  });

  it("saves a checkpoint in one run and loads it in the next run of the same flow", async () => {
    const seen: Array<number | undefined> = [];
    const counter = flow({ name: "counter" }, async (_: void, ctx) => {
      const state = await ctx.checkpoint.load<{ count: number }>("state");
      seen.push(state?.count);
      await ctx.checkpoint.save("state", { count: (state?.count ?? 0) + 1 });
    });
    await counter();
    await counter();
    expect(seen).toEqual([undefined, 1]);
    const stored = await getJson<{ value: unknown; version: number }>(
      server.url,
      "/api/checkpoints/counter/state",
    );
    expect(stored).toMatchObject({ value: { count: 2 }, version: 2 });
  });

  it("saves a last checkpoint after the run's signal aborted, so work done before a stop is kept", async () => {
    const stopping = flow({ name: "stopping", timeoutMs: 200 }, async (_: void, ctx) => {
      await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve, { once: true }));
      await ctx.checkpoint.save("state", { learned: 40 });
      throw ctx.signal.reason;
    });
    await expect(stopping()).rejects.toThrow(/timed out|timeout/i);
    const stored = await getJson<{ value: unknown }>(server.url, "/api/checkpoints/stopping/state");
    expect(stored).toMatchObject({ value: { learned: 40 } });
  });

  it("refuses a checkpoint save whose expectedVersion is stale", async () => {
    const cas = flow({ name: "cas" }, async (_: void, ctx) => {
      expect(await ctx.checkpoint.save("slot", "first", { expectedVersion: 0 })).toEqual({ version: 1 });
      await ctx.checkpoint.save("slot", "second", { expectedVersion: 0 });
    });
    await expect(cas()).rejects.toBeInstanceOf(WeirCheckpointError);
    expect(await getJson<{ value: unknown }>(server.url, "/api/checkpoints/cas/slot")).toMatchObject({
      value: "first",
    });
  });

  it("stores markdown, table and link artifacts, versioned by key", async () => {
    let runId = "";
    const report = flow({ name: "report" }, (_: void, ctx) => {
      runId = ctx.runId;
      ctx.artifacts.markdown("model-report", "# Precision\n0.8");
      ctx.artifacts.markdown("model-report", "# Precision\n0.9");
      ctx.artifacts.table("confusion", [{ label: 0, tp: 3, fp: 1 }]);
      ctx.artifacts.link("dataset", "https://example.com/yelp.csv", { description: "input" });
      expect(() => ctx.artifacts.markdown("Bad Key", "x")).toThrow(WeirArgumentError);
    });
    await report();
    const artifacts = await getJson<
      | Array<{ key: string; type: string; version: number; data: unknown }>
      | { items: Array<{ key: string; type: string; version: number; data: unknown }> }
    >(server.url, `/api/runs/${runId}/artifacts`);
    const list = Array.isArray(artifacts) ? artifacts : artifacts.items;
    expect(list.map((a) => [a.key, a.type, a.version]).sort()).toEqual([
      ["confusion", "table", 1],
      ["dataset", "link", 1],
      ["model-report", "markdown", 1],
      ["model-report", "markdown", 2],
    ]);
    const latest = await getJson<{ data: unknown; version: number }>(
      server.url,
      "/api/artifacts/model-report",
    );
    expect(latest).toMatchObject({ data: "# Precision\n0.9", version: 2 });
  });
});
