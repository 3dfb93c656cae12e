import { afterEach, describe, expect, it, vi } from "vitest";
import { flow, task, WeirCancelledError, WeirParameterError, WeirTimeoutError } from "./index.js";
import type { RunHookEvent, TaskContext } from "./index.js";
import { getRun, getStates, useServerForFile, waitFor } from "../test/harness.js";

const server = useServerForFile();

/** What a detached task prints to stderr (it records nothing, so the terminal is all a user sees). */
function captureStderr(): string[] {
  const lines: string[] = [];
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    lines.push(String(chunk));
    return true;
  });
  return lines;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("a task called outside of any flow", () => {
  it("retries failed attempts, printing each failure, and returns the first success", async () => {
    const stderr = captureStderr();
    const seen: Array<Pick<TaskContext, "attempt" | "runId" | "flowRunId" | "runName">> = [];
    const flaky = task({ name: "flaky-detached", retries: 3, retryDelayMs: 10 }, (n: number, ctx) => {
      seen.push({ attempt: ctx.attempt, runId: ctx.runId, flowRunId: ctx.flowRunId, runName: ctx.runName });
      if (ctx.attempt < 3) throw new Error(`transient ${ctx.attempt}`);
      return n * 2;
    });
    expect(await flaky(21)).toBe(42);
    expect(seen).toEqual(
      [1, 2, 3].map((attempt) => ({ attempt, runId: "", flowRunId: "", runName: "flaky-detached" })),
    );
    const failures = stderr.filter((line) => line.includes("Task 'flaky-detached' (no run)"));
    expect(failures).toHaveLength(2);
    expect(failures[0]).toContain("Attempt 1 failed: Error: transient 1");
    expect(failures[1]).toContain("Attempt 2 failed: Error: transient 2");
  });

  it("throws the last attempt's error once its retries are used up", async () => {
    captureStderr();
    const errors = [new Error("first"), new Error("second")];
    const broken = task({ name: "broken-detached", retries: 1 }, (_: void, ctx) => {
      throw errors[ctx.attempt - 1] ?? new Error("an attempt too many");
    });
    await expect(broken()).rejects.toBe(errors[1]);
  });

  it("does not retry an attempt that timed out, and aborts its signal with the WeirTimeoutError", async () => {
    const attempts: number[] = [];
    let reason: unknown;
    const slow = task({ name: "slow-detached", retries: 2, timeoutMs: 50 }, async (_: void, ctx) => {
      attempts.push(ctx.attempt);
      await new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => resolve()));
      reason = ctx.signal.reason;
    });
    const error: unknown = await slow().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WeirTimeoutError);
    expect(reason).toBe(error);
    expect(attempts).toEqual([1]);
  });

  it("throws WeirParameterError for invalid parameters without calling the function", async () => {
    let called = false;
    const schema = {
      parse: (input: unknown): number => {
        if (typeof input !== "number") throw new Error("expected a number");
        return input;
      },
    };
    const typed = task({ name: "typed-detached", parameters: schema, retries: 2 }, () => {
      called = true;
    });
    await expect(typed("nope" as unknown as number)).rejects.toBeInstanceOf(WeirParameterError);
    expect(called).toBe(false);
  });
});

describe("the wait before a retry", () => {
  it("ends a task run Cancelled, without retrying, when its flow times out during the wait", async () => {
    let taskRunId = "";
    let flowRunId = "";
    const attempts: number[] = [];
    const cancellations: RunHookEvent[] = [];
    const patient = task(
      {
        name: "patient",
        retries: 3,
        // Far past the test's time limit: only the flow's timeout can end this wait.
        retryDelayMs: 600_000,
        onCancellation: (event) => void cancellations.push(event),
      },
      (_: void, ctx) => {
        taskRunId = ctx.runId;
        attempts.push(ctx.attempt);
        throw new Error("not yet");
      },
    );
    const impatient = flow({ name: "impatient", timeoutMs: 300 }, async (_: void, ctx) => {
      flowRunId = ctx.runId;
      await patient();
    });
    await expect(impatient()).rejects.toBeInstanceOf(WeirTimeoutError);
    const [cancelled] = await waitFor(() => (cancellations.length > 0 ? cancellations : undefined));
    expect(cancelled).toMatchObject({ state: "Cancelled", attempts: 1, runId: taskRunId });
    expect(cancelled?.error).toBeInstanceOf(WeirCancelledError);
    expect(cancelled?.message).toContain("The enclosing run was aborted: WeirTimeoutError");
    expect(attempts).toEqual([1]);
    const states = await waitFor(async () => {
      const types = await getStates(server.url, taskRunId);
      return types.includes("Cancelled") ? types : undefined;
    });
    expect(states).toEqual(["Running", "AwaitingRetry", "Cancelled"]);
    expect((await getRun(server.url, flowRunId)).state).toBe("TimedOut");
  });
});
