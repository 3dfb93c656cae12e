import type {
  Artifact,
  IngestResult,
  LogLine,
  MetricSeries,
  Page,
  Run,
  StateHistoryEntry,
  Stats,
} from "@weir/protocol";
import { parseLiveEvent } from "@weir/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { BACKENDS, startTestServer, uuid } from "../test/backends.js";
import type { TestServer } from "../test/backends.js";

const iso = (ms: number) => new Date(ms).toISOString();

describe.each(BACKENDS)("the HTTP API on $name", ({ name, skip }) => {
  let t: TestServer;
  beforeAll(async () => {
    if (!skip) t = await startTestServer(name);
  });
  afterAll(async () => {
    await t?.close();
  });

  const createRun = (body: Record<string, unknown>) => t.json<Run>("POST", "/api/runs", body);
  const propose = (runId: string, type: string, extra: Record<string, unknown> = {}) =>
    t.call("POST", `/api/runs/${runId}/state`, { id: uuid(), type, ...extra });

  describe.skipIf(skip)("runs and states", () => {
    it("creates a Pending run with defaults and returns it by id", async () => {
      const run = await createRun({ flowName: "create-flow", parameters: { path: "x.csv" }, tags: ["a"] });
      expect(run).toMatchObject({
        kind: "flow",
        flowName: "create-flow",
        state: "Pending",
        tags: ["a"],
        startTime: null,
      });
      expect(run.name).toMatch(/^[a-z]+-[a-z]+$/);
      expect(await t.json<Run>("GET", `/api/runs/${run.id}`)).toEqual(run);
    });

    it("answers a replayed create with the stored run and refuses a conflicting one", async () => {
      const id = uuid();
      const first = await t.call("POST", "/api/runs", { id, flowName: "replay-flow", name: "first" });
      const again = await t.call("POST", "/api/runs", { id, flowName: "replay-flow", name: "second" });
      expect(first.status).toBe(201);
      expect(again.status).toBe(200);
      expect((again.body as Run).name).toBe("first");
      const other = await t.call("POST", "/api/runs", { id, flowName: "another-flow" });
      expect(other.status).toBe(409);
      expect(other.body).toMatchObject({ error: { code: "WEIR_RUN_CONFLICT" } });
    });

    it("sets start and end times and keeps the history with messages", async () => {
      const run = await createRun({ flowName: "history-flow" });
      const start = Date.now() - 1000;
      expect((await propose(run.id, "Running", { timestamp: iso(start) })).status).toBe(200);
      const done = await propose(run.id, "Completed", { message: "all good", timestamp: iso(start + 250) });
      expect(done.status).toBe(200);
      const finished = (done.body as { run: Run }).run;
      expect(finished).toMatchObject({
        state: "Completed",
        stateMessage: "all good",
        durationMs: 250,
        runCount: 1,
      });
      expect(finished.startTime).toBe(iso(start));
      expect(finished.endTime).toBe(iso(start + 250));
      const history = await t.json<StateHistoryEntry[]>("GET", `/api/runs/${run.id}/states`);
      expect(history.map((h) => [h.type, h.message])).toEqual([
        ["Pending", null],
        ["Running", null],
        ["Completed", "all good"],
      ]);
    });

    it("refuses leaving a terminal state with 409 and a reason", async () => {
      const run = await createRun({ flowName: "terminal-flow", state: "Running" });
      await propose(run.id, "Failed", { message: "boom" });
      const again = await propose(run.id, "Running");
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({
        accepted: false,
        run: { state: "Failed" },
        error: { code: "WEIR_INVALID_TRANSITION" },
      });
      expect((again.body as { reason: string }).reason).toMatch(/terminal/);
      const skipping = await createRun({ flowName: "terminal-flow" });
      expect((await propose(skipping.id, "Retrying")).status).toBe(409);
    });

    it("treats a repeated transition id as idempotent", async () => {
      const run = await createRun({ flowName: "idempotent-flow" });
      const id = uuid();
      const first = await t.call("POST", `/api/runs/${run.id}/state`, { id, type: "Running" });
      const second = await t.call("POST", `/api/runs/${run.id}/state`, { id, type: "Running" });
      expect(first.status).toBe(200);
      expect(second.status).toBe(200);
      const history = await t.json<StateHistoryEntry[]>("GET", `/api/runs/${run.id}/states`);
      expect(history.map((h) => h.type)).toEqual(["Pending", "Running"]);
      expect((await t.json<Run>("GET", `/api/runs/${run.id}`)).runCount).toBe(1);
      const elsewhere = await createRun({ flowName: "idempotent-flow" });
      const reused = await t.call("POST", `/api/runs/${elsewhere.id}/state`, { id, type: "Running" });
      expect(reused.status).toBe(409);
      expect(reused.body).toMatchObject({ error: { code: "WEIR_TRANSITION_ID_CONFLICT" } });
    });

    it("walks failure, retry and success, counting the attempts", async () => {
      const run = await createRun({ flowName: "retry-flow", state: "Running" });
      for (const type of ["AwaitingRetry", "Running", "Retrying", "Running", "Completed"])
        expect((await propose(run.id, type)).status).toBe(200);
      expect(await t.json<Run>("GET", `/api/runs/${run.id}`)).toMatchObject({
        state: "Completed",
        runCount: 3,
      });
    });

    it("answers 404 for an unknown run", async () => {
      const res = await t.call("GET", `/api/runs/${uuid()}`);
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ error: { code: "WEIR_RUN_NOT_FOUND" } });
      expect((await propose(uuid(), "Running")).status).toBe(404);
    });
  });

  describe.skipIf(skip)("ingest, logs and metrics", () => {
    it("stores logs and metrics once and counts duplicates and unknown runs", async () => {
      const run = await createRun({ flowName: "ingest-flow", state: "Running" });
      const logs = Array.from({ length: 30 }, (_, i) => ({
        runId: run.id,
        seq: i,
        level: i % 10 === 0 ? "WARNING" : "info",
        message: `line ${i}`,
        fields: { i },
        timestamp: iso(Date.now() + i),
      }));
      const metrics = Array.from({ length: 5 }, (_, i) => ({
        runId: run.id,
        seq: i,
        name: "precision",
        value: i / 10,
        step: i,
      }));
      const first = await t.json<IngestResult>("POST", "/api/ingest", {
        logs,
        metrics,
        heartbeats: [run.id],
      });
      expect(first.accepted).toEqual({ runs: 0, logs: 30, metrics: 5, states: 0 });
      expect(first.duplicates).toEqual({ runs: 0, logs: 0, metrics: 0 });
      const stranger = uuid();
      const replay = await t.json<IngestResult>("POST", "/api/ingest", {
        logs: [...logs.slice(20), { runId: stranger, seq: 0, level: "info", message: "orphan" }],
        metrics,
        heartbeats: [stranger],
      });
      expect(replay.accepted).toEqual({ runs: 0, logs: 0, metrics: 0, states: 0 });
      expect(replay.duplicates).toEqual({ runs: 0, logs: 10, metrics: 5 });
      expect(replay.rejected).toMatchObject({ logs: 1, metrics: 0, heartbeats: 1 });
      const page = await t.json<Page<LogLine>>("GET", `/api/runs/${run.id}/logs?limit=500`);
      expect(page.total).toBe(30);
      expect(page.items.map((l) => l.seq)).toEqual(logs.map((l) => l.seq));
      expect(page.items[0]).toMatchObject({
        level: "warning",
        levelNo: 30,
        fields: { i: 0 },
        message: "line 0",
      });
    });

    it("filters logs by minimum level, orders them and searches the message", async () => {
      const run = await createRun({ flowName: "log-query-flow", state: "Running" });
      const levels = ["debug", "info", "warning", "error", "critical"];
      await t.json("POST", "/api/ingest", {
        logs: levels.map((level, seq) => ({ runId: run.id, seq, level, message: `${level} 100%_done` })),
      });
      const warn = await t.json<Page<LogLine>>("GET", `/api/runs/${run.id}/logs?level=warning`);
      expect(warn.items.map((l) => l.level)).toEqual(["warning", "error", "critical"]);
      const desc = await t.json<Page<LogLine>>("GET", `/api/runs/${run.id}/logs?order=desc`);
      expect(desc.items.map((l) => l.seq)).toEqual([4, 3, 2, 1, 0]);
      const search = await t.json<Page<LogLine>>(
        "GET",
        `/api/runs/${run.id}/logs?q=${encodeURIComponent("OR 100%_")}`,
      );
      expect(search.items.map((l) => l.level)).toEqual(["error"]);
      const none = await t.json<Page<LogLine>>(
        "GET",
        `/api/runs/${run.id}/logs?q=${encodeURIComponent("%")}x`,
      );
      expect(none.items).toEqual([]);
    });

    it("pages through logs by cursor without gaps or repeats", async () => {
      const run = await createRun({ flowName: "log-page-flow", state: "Running" });
      await t.json("POST", "/api/ingest", {
        logs: Array.from({ length: 23 }, (_, seq) => ({
          runId: run.id,
          seq,
          level: "info",
          message: `m${seq}`,
        })),
      });
      const seen: number[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: Page<LogLine> = await t.json(
          "GET",
          `/api/runs/${run.id}/logs?limit=5${cursor ? `&cursor=${cursor}` : ""}`,
        );
        expect(page.total).toBe(23);
        seen.push(...page.items.map((l) => l.seq));
        cursor = page.nextCursor;
        pages++;
      } while (cursor !== null);
      expect(pages).toBe(5);
      expect(seen).toEqual(Array.from({ length: 23 }, (_, i) => i));
      const bad = await t.call("GET", `/api/runs/${run.id}/logs?cursor=not-a-cursor`);
      expect(bad.status).toBe(400);
      expect(bad.body).toMatchObject({ error: { code: "WEIR_BAD_CURSOR" } });
    });

    it("returns metric series in order, one by name and capped to the latest points", async () => {
      const run = await createRun({ flowName: "metric-flow", state: "Running" });
      const points = Array.from({ length: 10 }, (_, i) => [
        { runId: run.id, seq: 2 * i, name: "precision", value: i / 4, step: i },
        { runId: run.id, seq: 2 * i + 1, name: "recall", value: 0.7, step: i },
      ]).flat();
      await t.json("POST", "/api/ingest", { metrics: points });
      const all = await t.json<MetricSeries[]>("GET", `/api/runs/${run.id}/metrics`);
      expect(all.map((s) => [s.name, s.points.length])).toEqual([
        ["precision", 10],
        ["recall", 10],
      ]);
      expect(all[0]?.points.map((p) => p.step)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      const latest = await t.json<MetricSeries[]>(
        "GET",
        `/api/runs/${run.id}/metrics?name=precision&maxPoints=3`,
      );
      expect(latest).toHaveLength(1);
      expect(latest[0]?.points.map((p) => p.value)).toEqual([1.75, 2, 2.25]);
    });

    it("creates runs sent in a batch before storing their lines, once across replays", async () => {
      const flowRunId = uuid();
      const taskRunId = uuid();
      const batch = {
        runs: [
          { id: flowRunId, flowName: "batched-flow", state: "Running" },
          {
            id: taskRunId,
            kind: "task",
            flowName: "batched-flow",
            taskName: "t",
            flowRunId,
            state: "Running",
          },
        ],
        logs: [{ runId: flowRunId, seq: 0, level: "info", message: "first", taskRunId }],
        states: [{ runId: taskRunId, id: uuid(), type: "Completed" }],
      };
      const first = await t.json<IngestResult>("POST", "/api/ingest", batch);
      expect(first.accepted).toEqual({ runs: 2, logs: 1, metrics: 0, states: 1 });
      const replay = await t.json<IngestResult>("POST", "/api/ingest", batch);
      expect(replay.accepted).toEqual({ runs: 0, logs: 0, metrics: 0, states: 1 });
      expect(replay.duplicates).toEqual({ runs: 2, logs: 1, metrics: 0 });
      expect(await t.json<Run>("GET", `/api/runs/${taskRunId}`)).toMatchObject({
        state: "Completed",
        flowRunId,
      });
      const missingId = await t.call("POST", "/api/ingest", { runs: [{ flowName: "no-id" }] });
      expect(missingId.status).toBe(400);
    });

    it("applies state transitions and heartbeats sent in a batch and reports refused ones", async () => {
      const run = await createRun({ flowName: "batch-state-flow" });
      const refusedId = uuid();
      const result = await t.json<IngestResult>("POST", "/api/ingest", {
        states: [
          { runId: run.id, id: uuid(), type: "Running" },
          { runId: run.id, id: uuid(), type: "Completed" },
          { runId: run.id, id: refusedId, type: "Running" },
        ],
      });
      expect(result.accepted.states).toBe(2);
      expect(result.rejected.states).toEqual([
        { runId: run.id, id: refusedId, reason: expect.stringMatching(/terminal/) as unknown },
      ]);
      expect((await t.json<Run>("GET", `/api/runs/${run.id}`)).state).toBe("Completed");
    });

    it("stores NUL characters in log text as U+FFFD and refuses them in names, on every backend", async () => {
      const run = await createRun({ flowName: "nul-flow", state: "Running" });
      const stored = await t.json<IngestResult>("POST", "/api/ingest", {
        logs: [{ runId: run.id, seq: 0, level: "info", message: "bin\u0000ary" }],
      });
      expect(stored.accepted.logs).toBe(1);
      const page = await t.json<Page<LogLine>>("GET", `/api/runs/${run.id}/logs`);
      expect(page.items[0]?.message).toBe("bin\ufffdary");
      const refused = await t.call("POST", "/api/runs", { flowName: "nul\u0000flow" });
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ error: { code: "WEIR_VALIDATION" } });
    });

    it("scopes a task run's logs to the lines it logged", async () => {
      const flowRun = await createRun({ flowName: "task-log-flow", state: "Running" });
      const task = await createRun({
        kind: "task",
        flowName: "task-log-flow",
        taskName: "load",
        flowRunId: flowRun.id,
        state: "Running",
      });
      await t.json("POST", "/api/ingest", {
        logs: [
          { runId: flowRun.id, seq: 0, level: "info", message: "flow line" },
          { runId: flowRun.id, seq: 1, level: "info", message: "task line", taskRunId: task.id },
        ],
      });
      const taskLogs = await t.json<Page<LogLine>>("GET", `/api/runs/${task.id}/logs`);
      expect(taskLogs.items.map((l) => l.message)).toEqual(["task line"]);
      const flowLogs = await t.json<Page<LogLine>>("GET", `/api/runs/${flowRun.id}/logs`);
      expect(flowLogs.items).toHaveLength(2);
      const tasks = await t.json<Page<Run>>("GET", `/api/runs?kind=task&flowRunId=${flowRun.id}`);
      expect(tasks.items.map((r) => r.taskName)).toEqual(["load"]);
    });
  });

  describe.skipIf(skip)("artifacts and checkpoints", () => {
    it("versions keyed artifacts and returns the latest or every version", async () => {
      const run = await createRun({ flowName: "artifact-flow" });
      const key = `report-${name}`;
      const v1 = await t.json<Artifact>("POST", `/api/runs/${run.id}/artifacts`, {
        key,
        type: "markdown",
        data: "# v1",
      });
      const v2 = await t.json<Artifact>("POST", `/api/runs/${run.id}/artifacts`, {
        key,
        type: "table",
        data: [{ precision: 0.9 }],
        description: "second",
      });
      await t.json("POST", `/api/runs/${run.id}/artifacts`, {
        type: "link",
        data: "https://example.com/model",
      });
      expect([v1.version, v2.version]).toEqual([1, 2]);
      expect(await t.json<Artifact>("GET", `/api/artifacts/${key}`)).toMatchObject({
        version: 2,
        data: [{ precision: 0.9 }],
      });
      const all = await t.json<Artifact[]>("GET", `/api/artifacts/${key}?all=true`);
      expect(all.map((a) => a.version)).toEqual([2, 1]);
      const ofRun = await t.json<Artifact[]>("GET", `/api/runs/${run.id}/artifacts`);
      expect(ofRun.map((a) => a.type)).toEqual(["markdown", "table", "link"]);
      expect((await t.call("GET", "/api/artifacts/never-made")).status).toBe(404);
      expect(
        (await t.call("POST", `/api/runs/${run.id}/artifacts`, { type: "link", data: "not a url" })).status,
      ).toBe(400);
    });

    it("stores checkpoints atomically and refuses a stale expectedVersion", async () => {
      const path = `/api/checkpoints/model-subscriber/${name}-state`;
      expect((await t.call("GET", path)).status).toBe(404);
      expect(await t.json("PUT", path, { value: { lastOffset: 1 }, expectedVersion: 0 })).toMatchObject({
        version: 1,
      });
      const twice = await t.call("PUT", path, { value: { lastOffset: 9 }, expectedVersion: 0 });
      expect(twice.status).toBe(409);
      expect(await t.json("PUT", path, { value: { lastOffset: 2 }, expectedVersion: 1 })).toMatchObject({
        version: 2,
      });
      const stale = await t.call("PUT", path, { value: { lastOffset: 99 }, expectedVersion: 1 });
      expect(stale.status).toBe(409);
      expect(stale.body).toMatchObject({
        error: { code: "WEIR_VERSION_CONFLICT", details: { currentVersion: 2 } },
      });
      expect(await t.json("PUT", path, { value: { lastOffset: 3 } })).toMatchObject({ version: 3 });
      expect(await t.json("GET", path)).toMatchObject({ value: { lastOffset: 3 }, version: 3 });
    });
  });

  describe.skipIf(skip)("lists, flows and stats", () => {
    const flow = `list-flow-${name}`;
    const ids: string[] = [];
    const base = Date.now() - 100_000;
    beforeAll(async () => {
      if (skip) return;
      for (let i = 0; i < 12; i++) {
        const run = await createRun({
          flowName: flow,
          name: i === 7 ? "needle-run" : `run-${i}`,
          tags: i % 3 === 0 ? ["nightly"] : [],
          timestamp: iso(base + i * 1000),
        });
        ids.push(run.id);
        if (i % 2 === 0) await propose(run.id, "Running", { timestamp: iso(base + i * 1000 + 10) });
        if (i % 4 === 0) await propose(run.id, "Failed", { timestamp: iso(base + i * 1000 + 10 + i) });
      }
    });

    it("filters by flow, state, tag and name and pages newest first", async () => {
      const byFlow = await t.json<Page<Run>>("GET", `/api/runs?flow=${flow}&limit=5`);
      expect(byFlow.total).toBe(12);
      expect(byFlow.totalCapped).toBe(false);
      const seen = [...byFlow.items];
      let cursor = byFlow.nextCursor;
      while (cursor !== null) {
        const page: Page<Run> = await t.json("GET", `/api/runs?flow=${flow}&limit=5&cursor=${cursor}`);
        seen.push(...page.items);
        cursor = page.nextCursor;
      }
      expect(seen.map((r) => r.id)).toEqual([...ids].reverse());
      const failed = await t.json<Page<Run>>("GET", `/api/runs?flow=${flow}&state=Failed`);
      expect(failed.items.map((r) => r.id)).toEqual([ids[8], ids[4], ids[0]]);
      const several = await t.json<Page<Run>>(
        "GET",
        `/api/runs?flow=${flow}&state=Failed,Running&state=Pending`,
      );
      expect(several.total).toBe(12);
      const tagged = await t.json<Page<Run>>("GET", `/api/runs?flow=${flow}&tag=nightly`);
      expect(tagged.items.map((r) => r.id)).toEqual([ids[9], ids[6], ids[3], ids[0]]);
      const named = await t.json<Page<Run>>("GET", `/api/runs?q=NEEDLE`);
      expect(named.items.map((r) => r.id)).toEqual([ids[7]]);
      const oldestFirst = await t.json<Page<Run>>("GET", `/api/runs?flow=${flow}&sort=start-asc&limit=2`);
      expect(oldestFirst.items.map((r) => r.id)).toEqual([ids[0], ids[1]]);
      const tagPages: string[] = [];
      let tagCursor: string | null = null;
      do {
        const page: Page<Run> = await t.json(
          "GET",
          `/api/runs?flow=${flow}&tag=nightly&limit=3${tagCursor ? `&cursor=${tagCursor}` : ""}`,
        );
        expect(page.total).toBe(4);
        tagPages.push(...page.items.map((r) => r.id));
        tagCursor = page.nextCursor;
      } while (tagCursor !== null);
      expect(tagPages).toEqual([ids[9], ids[6], ids[3], ids[0]]);
      const byDuration = await t.json<Page<Run>>("GET", `/api/runs?flow=${flow}&sort=duration-desc&limit=2`);
      expect(byDuration.total).toBe(3);
      const rest = await t.json<Page<Run>>(
        "GET",
        `/api/runs?flow=${flow}&sort=duration-desc&limit=2&cursor=${byDuration.nextCursor}`,
      );
      expect([...byDuration.items, ...rest.items].map((r) => r.id)).toEqual([ids[8], ids[4], ids[0]]);
      expect((await t.call("GET", `/api/runs?state=Sleeping`)).status).toBe(400);
    });

    it("summarises flows and counts runs per state", async () => {
      const flows = await t.json<Page<{ name: string; runCount: number; lastRun: Run | null }>>(
        "GET",
        "/api/flows",
      );
      const summary = flows.items.find((f) => f.name === flow);
      expect(summary).toMatchObject({ runCount: 12, lastRun: { id: ids[11] } });
      const stats = await t.json<Stats>("GET", `/api/stats?since=${iso(base)}&until=${iso(base + 12_000)}`);
      expect(stats.flowRuns).toMatchObject({ Failed: 3, Running: 3, Pending: 6, Completed: 0 });
      expect(stats.recentFailures.map((r) => r.id)).toEqual([ids[8], ids[4], ids[0]]);
    });
  });

  describe.skipIf(skip)("live events", () => {
    it("pushes a stored log line to an SSE subscriber of its run", async () => {
      const run = await createRun({ flowName: "sse-flow", state: "Running" });
      const other = await createRun({ flowName: "sse-flow", state: "Running" });
      const controller = new AbortController();
      const res = await fetch(`${t.url}/api/events?runId=${run.id}`, { signal: controller.signal });
      expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      await t.json("POST", "/api/ingest", {
        logs: [
          { runId: other.id, seq: 0, level: "info", message: "not for you" },
          { runId: run.id, seq: 0, level: "error", message: "hello dashboard" },
        ],
      });
      let text = "";
      while (!text.includes("hello dashboard")) {
        const { value, done } = await reader.read();
        if (done) break;
        text += value;
      }
      controller.abort();
      const message = /event: (\w+)\ndata: (.*)\n\n/.exec(text);
      expect(message).not.toBeNull();
      const event = parseLiveEvent(message![1]!, message![2]!);
      expect(event).toMatchObject({
        type: "log",
        data: { runId: run.id, message: "hello dashboard", level: "error" },
      });
      expect(text).not.toContain("not for you");
    });
  });

  describe.skipIf(skip)("API key", () => {
    it("requires the key for writes, not for reads", async () => {
      const secured = await startTestServer(name, { apiKey: "s3cret" });
      try {
        const denied = await secured.call("POST", "/api/runs", { flowName: "secure" });
        expect(denied.status).toBe(401);
        expect(denied.body).toMatchObject({ error: { code: "WEIR_UNAUTHORIZED" } });
        const wrong = await secured.call("POST", "/api/ingest", {}, { authorization: "Bearer nope" });
        expect(wrong.status).toBe(401);
        const ok = await secured.call(
          "POST",
          "/api/runs",
          { flowName: "secure" },
          { authorization: "Bearer s3cret" },
        );
        expect(ok.status).toBe(201);
        const list = await secured.json<Page<Run>>("GET", "/api/runs");
        expect(list.items.map((r) => r.flowName)).toEqual(["secure"]);
      } finally {
        await secured.close();
      }
    });
  });
});
