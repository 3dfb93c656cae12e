import { format } from "node:util";
import { describe, expect, it } from "vitest";
import { flow, getRunLogger, logMetric, task, WeirArgumentError, WeirNotInRunError } from "./index.js";
import { getJson, getLogs, useServerForFile } from "../test/harness.js";

const server = useServerForFile();

describe("run logs and metrics", () => {
  it("captures console.log inside a logPrints flow as run logs, and still prints it", async () => {
    let runId = "";
    // The terminal: what the console method that was in place before the capture receives.
    const printed: string[] = [];
    const terminal = console.log;
    console.log = (...args: unknown[]) => {
      printed.push(format(...args));
      terminal(...args);
    };
    const chatty = flow({ name: "chatty", logPrints: true }, async (_: void, ctx) => {
      runId = ctx.runId;
      console.log("processed %d rows", 42);
      await new Promise((resolve) => setTimeout(resolve, 5));
      console.warn("almost out of memory");
    });
    await chatty();
    const logs = await getLogs(server.url, runId);
    expect(logs.map((l) => [l.level, l.message])).toEqual([
      ["info", "processed 42 rows"],
      ["warning", "almost out of memory"],
    ]);
    expect(printed.join("")).toContain("processed 42 rows");
  });

  it("does not capture console.log without logPrints", async () => {
    let runId = "";
    const quiet = flow({ name: "quiet" }, (_: void, ctx) => {
      runId = ctx.runId;
      console.log("only on the terminal");
    });
    await quiet();
    expect(await getLogs(server.url, runId)).toEqual([]);
  });

  it("stores getRunLogger().warn(...) from a nested function with level warning and its fields", async () => {
    let runId = "";
    const checkThreshold = (precision: number): void => {
      if (precision < 0.6) getRunLogger().warn(`Precision is below threshold: ${precision}`, { precision });
    };
    const monitor = flow({ name: "monitor" }, (_: void, ctx) => {
      runId = ctx.runId;
      ctx.logger.debug("debug line");
      checkThreshold(0.5);
      ctx.logger.critical("critical line");
    });
    await monitor();
    const logs = await getLogs(server.url, runId);
    expect(logs.map((l) => l.level)).toEqual(["debug", "warning", "critical"]);
    expect(logs[1]).toMatchObject({
      message: "Precision is below threshold: 0.5",
      fields: { precision: 0.5 },
    });
    const warnings = await getJson<{ items: unknown[] }>(server.url, `/api/runs/${runId}/logs?level=warning`);
    expect(warnings.items).toHaveLength(2);
  });

  it("attributes a task's logs to its flow run with the task run id", async () => {
    let flowRunId = "";
    let taskRunId = "";
    const step = task({ name: "step" }, (_: void, ctx) => {
      taskRunId = ctx.runId;
      getRunLogger().info("inside the task");
    });
    const outer = flow({ name: "outer-logs" }, async (_: void, ctx) => {
      flowRunId = ctx.runId;
      await step();
    });
    await outer();
    const logs = await getLogs(server.url, flowRunId);
    expect(logs).toEqual([expect.objectContaining({ message: "inside the task", taskRunId })]);
  });

  it("records logMetric points per run with steps, skipping non-finite values with one warning", async () => {
    let runId = "";
    const learner = flow({ name: "learner" }, (_: void, ctx) => {
      runId = ctx.runId;
      for (let step = 0; step < 5; step++) logMetric("precision", step / 10, { step });
      logMetric("recall", Number.NaN, { step: 5 });
      logMetric("recall", Number.NaN, { step: 6 });
    });
    await learner();
    const series = await getJson<Array<{ name: string; points: Array<{ step: number; value: number }> }>>(
      server.url,
      `/api/runs/${runId}/metrics`,
    );
    const precision = series.find((s) => s.name === "precision");
    expect(precision?.points.map((p) => [p.step, p.value])).toEqual([
      [0, 0],
      [1, 0.1],
      [2, 0.2],
      [3, 0.3],
      [4, 0.4],
    ]);
    expect(series.find((s) => s.name === "recall")).toBeUndefined();
    const logs = await getLogs(server.url, runId);
    expect(logs.filter((l) => l.level === "warning")).toHaveLength(1);
  });

  it("throws clear errors for metrics outside a run and for invalid metric names", async () => {
    expect(() => logMetric("precision", 1)).toThrow(WeirNotInRunError);
    const bad = flow({ name: "bad-metric" }, () => logMetric("my precision", 1));
    await expect(bad()).rejects.toBeInstanceOf(WeirArgumentError);
  });

  it("gives a printing logger outside of a run", () => {
    const lines: string[] = [];
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = (chunk: string) => lines.push(chunk) > 0;
    try {
      getRunLogger().warn("no run here");
    } finally {
      process.stderr.write = original;
    }
    expect(lines.join("")).toMatch(/WARNING .*\(no run\) - no run here/);
  });
});
