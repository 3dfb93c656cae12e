import { describe, expect, it } from "vitest";

import { covers, describeKey, liveScopeOf, queryKeys } from "./query-keys.js";

describe("query keys", () => {
  it("makes equal keys for equal filters, whatever empty values they carry", () => {
    expect(queryKeys.runs({ flow: "", tag: undefined, state: [], cursor: null, limit: 50 })).toEqual(
      queryKeys.runs({ limit: 50 }),
    );
    expect(queryKeys.logs("r", { order: "asc", level: "", q: undefined })).toEqual(
      queryKeys.logs("r", { order: "asc" }),
    );
  });

  it("reads back what each key holds", () => {
    expect(describeKey(queryKeys.logs("r", { order: "desc", q: "x" }))).toEqual({
      kind: "logs",
      runId: "r",
      filters: { order: "desc", q: "x" },
    });
    expect(describeKey(queryKeys.run("r"))).toEqual({ kind: "run", runId: "r" });
    expect(describeKey(queryKeys.stats({}))).toEqual({ kind: "stats" });
    expect(describeKey(["something", "else"])).toBeUndefined();
  });

  it("needs only a run's stream for its own data and its task and child runs, the whole stream for the rest", () => {
    expect(liveScopeOf(queryKeys.logs("r", { order: "asc" }))).toEqual({ runId: "r" });
    expect(liveScopeOf(queryKeys.runs({ kind: "task", flowRunId: "r" }))).toEqual({ runId: "r" });
    expect(liveScopeOf(queryKeys.runs({ kind: "flow", parentRunId: "r" }))).toEqual({ runId: "r" });
    expect(liveScopeOf(queryKeys.runs({ kind: "flow" }))).toBe("all");
    expect(liveScopeOf(queryKeys.stats({}))).toBe("all");
    expect(liveScopeOf(queryKeys.topics())).toBeNull();
    // A deployment's next and last runs, a pool's queued runs and a worker's running ones change with
    // their runs, pushed on the whole stream.
    expect(liveScopeOf(queryKeys.deployments({}))).toBe("all");
    expect(liveScopeOf(queryKeys.deployment("monitor"))).toBe("all");
    expect(liveScopeOf(queryKeys.runs({ kind: "flow", deploymentId: "d" }))).toBe("all");
    expect(liveScopeOf(queryKeys.workers())).toBe("all");
    expect(liveScopeOf(queryKeys.workPools())).toBe("all");
    expect(liveScopeOf(queryKeys.models())).toBeNull();
    expect(liveScopeOf(queryKeys.feedbackMetrics("m", 60_000))).toBeNull();
    expect(covers("all", { runId: "r" })).toBe(true);
    expect(covers({ runId: "r" }, { runId: "s" })).toBe(false);
    expect(covers({ runId: "r" }, "all")).toBe(false);
  });
});
