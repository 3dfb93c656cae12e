import { describe, expect, it } from "vitest";
import { flow, task, WeirArgumentError, WeirParameterError, WeirTimeoutError } from "./index.js";
import type { RunHookEvent } from "./index.js";
import { getRun, getStates, useServerForFile } from "../test/harness.js";

const server = useServerForFile();

describe("flow run states", () => {
  it("records a successful run Running → Completed with its parameters and returns the result", async () => {
    let runId = "";
    const add = flow(
      { name: "add", tags: ["math"], version: "1.2.0", description: "Adds two numbers." },
      (params: { a: number; b: number }, ctx) => {
        runId = ctx.runId;
        return params.a + params.b;
      },
    );
    expect(await add({ a: 2, b: 3 })).toBe(5);
    const run = await getRun(server.url, runId);
    expect(run).toMatchObject({
      kind: "flow",
      flowName: "add",
      state: "Completed",
      parameters: { a: 2, b: 3 },
      tags: ["math"],
      version: "1.2.0",
      description: "Adds two numbers.",
    });
    expect(run.name).toMatch(/^[a-z]+-[a-z]+$/);
    expect(await getStates(server.url, runId)).toEqual(["Running", "Completed"]);
  });

  it("retries a failed attempt and completes: AwaitingRetry → Retrying → Completed", async () => {
    let runId = "";
    const attempts: number[] = [];
    const flaky = flow({ name: "flaky", retries: 2, retryDelayMs: [50, 100] }, (_: void, ctx) => {
      runId = ctx.runId;
      attempts.push(ctx.attempt);
      if (ctx.attempt < 2) throw new Error("transient failure");
      return "ok";
    });
    expect(await flaky()).toBe("ok");
    expect(attempts).toEqual([1, 2]);
    expect(await getStates(server.url, runId)).toEqual(["Running", "AwaitingRetry", "Retrying", "Completed"]);
  });

  it("ends Failed with the error message when retries are exhausted, and rethrows the error", async () => {
    let runId = "";
    const failures: RunHookEvent[] = [];
    class ModelError extends Error {}
    const broken = flow(
      { name: "broken", retries: 1, retryDelayMs: 0, onFailure: (event) => void failures.push(event) },
      (_: void, ctx) => {
        runId = ctx.runId;
        throw new ModelError("model exploded");
      },
    );
    await expect(broken()).rejects.toBeInstanceOf(ModelError);
    const run = await getRun(server.url, runId);
    expect(run.state).toBe("Failed");
    expect(run.stateMessage).toContain("model exploded");
    expect(await getStates(server.url, runId)).toEqual(["Running", "AwaitingRetry", "Retrying", "Failed"]);
    expect(failures.map((f) => [f.state, f.attempts])).toEqual([["Failed", 2]]);
  });

  it("ends TimedOut after timeoutMs with ctx.signal aborted by a WeirTimeoutError", async () => {
    let runId = "";
    let seenReason: unknown;
    const slow = flow({ name: "slow", timeoutMs: 200 }, async (_: void, ctx) => {
      runId = ctx.runId;
      await new Promise<void>((resolve) =>
        ctx.signal.addEventListener("abort", () => {
          seenReason = ctx.signal.reason;
          resolve();
        }),
      );
    });
    await expect(slow()).rejects.toBeInstanceOf(WeirTimeoutError);
    expect(seenReason).toBeInstanceOf(WeirTimeoutError);
    expect((await getRun(server.url, runId)).state).toBe("TimedOut");
  });

  it("records invalid parameters as a Failed run and throws WeirParameterError", async () => {
    const schema = {
      parse(input: unknown): { n: number } {
        if (typeof (input as { n?: unknown }).n !== "number") throw new Error("n must be a number");
        return input as { n: number };
      },
    };
    const events: RunHookEvent<{ n: number }>[] = [];
    const typed = flow(
      { name: "typed", parameters: schema, onFailure: (e) => void events.push(e) },
      ({ n }) => n * 2,
    );
    expect(await typed({ n: 4 })).toBe(8);
    const error = await typed({ n: "4" } as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WeirParameterError);
    const runId = events[0]?.runId ?? "";
    const run = await getRun(server.url, runId);
    expect(run.state).toBe("Failed");
    expect(run.stateMessage).toContain("n must be a number");
  });

  it("calls onCompletion with the result and records a task's own retries", async () => {
    const completions: unknown[] = [];
    let taskRunId = "";
    const shaky = task({ name: "shaky", retries: 1 }, (_: void, ctx) => {
      taskRunId = ctx.runId;
      if (ctx.attempt === 1) throw new Error("first try fails");
      return 7;
    });
    const parent = flow({ name: "with-hook", onCompletion: (e) => void completions.push(e.result) }, () =>
      shaky(),
    );
    expect(await parent()).toBe(7);
    expect(completions).toEqual([7]);
    expect(await getStates(server.url, taskRunId)).toEqual([
      "Running",
      "AwaitingRetry",
      "Retrying",
      "Completed",
    ]);
  });

  it("refuses options the server would refuse when the flow is defined", () => {
    expect(() => flow({ name: "" }, () => undefined)).toThrow(WeirArgumentError);
    expect(() => flow({ name: "tagged", tags: ["x".repeat(101)] }, () => undefined)).toThrow(/tags must be/);
    expect(() => flow({ name: "negative", retries: -1 }, () => undefined)).toThrow(/retries must be/);
  });

  it("renders runName templates with the flow name and parameters", async () => {
    let runId = "";
    const named = flow(
      { name: "etl", runName: "{flowName}-{region}-{date}" },
      (_: { region: string }, ctx) => {
        runId = ctx.runId;
      },
    );
    await named({ region: "eu" });
    const run = await getRun(server.url, runId);
    expect(run.name).toBe(`etl-eu-${new Date().toISOString().slice(0, 10)}`);
  });
});
