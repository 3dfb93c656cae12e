import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { BACKENDS, startTestServer, uuid } from "../../test/backends.js";
import type { TestServer } from "../../test/backends.js";

const API_KEY = "download-test-key";

describe.each(BACKENDS)("GET /api/runs/:id/logs/download on $name", ({ name, skip }) => {
  let open: TestServer;
  let keyed: TestServer;
  let runId: string;
  let taskId: string;

  /** A flow run with 12,000 lines (more than one page of the stream), a task run with 3 of them. */
  async function seed(
    t: TestServer,
    headers: Record<string, string> = {},
  ): Promise<{ runId: string; taskId: string }> {
    const id = uuid();
    const task = uuid();
    await t.json(
      "POST",
      "/api/runs",
      { id, flowName: "dl-flow", name: "dl run/one", state: "Running" },
      headers,
    );
    await t.json(
      "POST",
      "/api/runs",
      { id: task, kind: "task", flowName: "dl-flow", name: "dl-task", flowRunId: id, state: "Running" },
      headers,
    );
    for (let from = 0; from < 12_000; from += 6000) {
      const logs = Array.from({ length: 6000 }, (_, i) => ({
        runId: id,
        seq: from + i,
        level: (from + i) % 1000 === 0 ? "warning" : "info",
        message: from + i === 7 ? "two\nlines" : `line ${from + i}`,
        timestamp: new Date(Date.UTC(2026, 0, 1) + from + i).toISOString(),
        ...(from + i < 3 ? { taskRunId: task, fields: { step: from + i } } : {}),
      }));
      await t.json("POST", "/api/ingest", { logs }, headers);
    }
    return { runId: id, taskId: task };
  }

  beforeAll(async () => {
    if (skip) return;
    open = await startTestServer(name);
    keyed = await startTestServer(name, { apiKey: API_KEY });
    ({ runId, taskId } = await seed(open));
  }, 60_000);
  afterAll(async () => {
    await open?.close();
    await keyed?.close();
  });

  it.skipIf(skip)(
    "streams every line oldest first as text, with the line count and a file name",
    async () => {
      const res = await fetch(`${open.url}/api/runs/${runId}/logs/download`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
      expect(res.headers.get("x-weir-line-count")).toBe("12000");
      expect(res.headers.get("content-disposition")).toBe(
        'attachment; filename="dl-flow-dl_run_one-logs.txt"',
      );
      const lines = (await res.text()).split("\n");
      expect(lines).toHaveLength(12_002); // a message of two lines, and the final newline
      expect(lines[0]).toBe('2026-01-01T00:00:00.000Z WARNING  line 0 {"step":0}');
      expect(lines[7]).toBe("2026-01-01T00:00:00.007Z INFO     two");
      expect(lines[8]).toBe("lines");
      expect(lines[12_000]).toBe("2026-01-01T00:00:11.999Z INFO     line 11999");
    },
  );

  it.skipIf(skip)("downloads only the lines that pass the level and text filters, or a task's", async () => {
    const warnings = await fetch(`${open.url}/api/runs/${runId}/logs/download?level=warning&q=LINE%201`);
    expect(warnings.headers.get("x-weir-line-count")).toBe("3");
    expect(
      (await warnings.text())
        .trim()
        .split("\n")
        .map((l) => l.split(" ").slice(-1)[0]),
    ).toEqual(["1000", "10000", "11000"]);
    for (const path of [
      `/api/runs/${taskId}/logs/download`,
      `/api/runs/${runId}/logs/download?taskRunId=${taskId}`,
    ]) {
      const task = await fetch(open.url + path);
      expect(task.headers.get("x-weir-line-count")).toBe("3");
      expect((await task.text()).trim().split("\n")).toHaveLength(3);
    }
  });

  it.skipIf(skip)(
    "lists a flow run's lines of one of its task runs (the Logs tab's Task filter)",
    async () => {
      type Lines = { items: { seq: number; taskRunId: string | null }[]; total: number };
      const page = await open.json<Lines>("GET", `/api/runs/${runId}/logs?taskRunId=${taskId}&order=desc`);
      expect(page.items.map((l) => [l.seq, l.taskRunId])).toEqual([
        [2, taskId],
        [1, taskId],
        [0, taskId],
      ]);
      expect(page.total).toBe(3);
      const other = await open.json<Lines>("GET", `/api/runs/${runId}/logs?taskRunId=${uuid()}`);
      expect(other.items).toEqual([]);
      const hostile = await open.call(
        "GET",
        `/api/runs/${runId}/logs?taskRunId=${encodeURIComponent("1' OR 1=1")}`,
      );
      expect(hostile.status).toBe(400);
      expect(JSON.stringify(hostile.body)).toMatch(/taskRunId/);
    },
  );

  it.skipIf(skip)("is a read: open without the API key when one is set, like the other GETs", async () => {
    const ids = await seed(keyed, { authorization: `Bearer ${API_KEY}` });
    const res = await fetch(`${keyed.url}/api/runs/${ids.runId}/logs/download?level=error`);
    expect(res.status).toBe(200);
    expect(res.headers.get("x-weir-line-count")).toBe("0");
    expect(await res.text()).toBe("");
    const list = await fetch(`${keyed.url}/api/runs/${ids.runId}/logs?taskRunId=${ids.taskId}`);
    expect(list.status).toBe(200);
    expect(((await list.json()) as { total: number }).total).toBe(3);
    const post = await keyed.call("POST", `/api/runs/${ids.runId}/logs/download`);
    expect(post.status).toBe(401);
  });

  it.skipIf(skip)(
    "answers hostile or wrong input with a 4xx that says what to fix, never a 5xx",
    async () => {
      const cases: [string, number, RegExp][] = [
        [`/api/runs/${uuid()}/logs/download`, 404, /POST \/api\/runs|not/i],
        ["/api/runs/not-a-uuid/logs/download", 400, /UUID/],
        [`/api/runs/${runId}/logs/download?level=loud`, 400, /level/],
        [`/api/runs/${runId}/logs/download?q=${"x".repeat(201)}`, 400, /q/],
        [`/api/runs/${runId}/logs/download?taskRunId=1;drop`, 400, /taskRunId/],
        [`/api/runs/${runId}/logs/download?level=warning%00`, 400, /level/],
        [`/api/runs/%00/logs/download`, 400, /UUID/],
      ];
      for (const [path, status, says] of cases) {
        const res = await open.call("GET", path);
        expect(res.status, path).toBe(status);
        expect(JSON.stringify(res.body), path).toMatch(says);
      }
      for (const q of ["%", "_", "\\", "'; drop table logs; --", "%00", "💥"]) {
        const res = await fetch(`${open.url}/api/runs/${runId}/logs/download?q=${encodeURIComponent(q)}`);
        expect(res.status, q).toBe(200);
        expect(res.headers.get("x-weir-line-count"), q).toBe("0");
        await res.text();
      }
    },
  );
});
