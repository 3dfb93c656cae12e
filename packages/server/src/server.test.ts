import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import type { LogLine, Page, Run } from "@weir/protocol";
import { afterAll, describe, expect, it } from "vitest";

import { createServer } from "./create-server.js";
import { WeirServerError } from "./errors.js";
import { startTestServer, uuid } from "../test/backends.js";

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "weir-server-misc-"));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("the server around the API", () => {
  it("publishes an OpenAPI document of the routes", async () => {
    const t = await startTestServer("sqlite");
    try {
      const doc = await t.json<{ openapi: string; paths: Record<string, unknown> }>(
        "GET",
        "/api/openapi.json",
      );
      expect(doc.openapi).toMatch(/^3\./);
      for (const path of [
        "/api/runs",
        "/api/runs/{id}/state",
        "/api/ingest",
        "/api/checkpoints/{scope}/{key}",
        "/api/stats",
      ])
        expect(Object.keys(doc.paths)).toContain(path);
    } finally {
      await t.close();
    }
  });

  it("exports runs by state, ingest and request counters on /metrics", async () => {
    const t = await startTestServer("sqlite");
    try {
      const run = await t.json<Run>("POST", "/api/runs", { flowName: "prom", state: "Running" });
      await t.json("POST", "/api/ingest", { logs: [{ runId: run.id, seq: 0, level: "info", message: "x" }] });
      await t.json("POST", "/api/ingest", { logs: [{ runId: run.id, seq: 0, level: "info", message: "x" }] });
      const res = await fetch(`${t.url}/metrics`);
      expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
      const text = await res.text();
      expect(text).toContain('weir_runs{kind="flow",state="Running"} 1\n');
      expect(text).toContain('weir_ingest_items_total{kind="log"} 1\n');
      expect(text).toContain('weir_ingest_duplicates_total{kind="log"} 1\n');
      expect(text).toContain('weir_http_requests_total{method="POST",route="/api/ingest",status="200"} 2\n');
    } finally {
      await t.close();
    }
  });

  it("serves the built dashboard at / with a fallback to index.html, and JSON 404s under /api", async () => {
    const uiDir = tempDir();
    mkdirSync(join(uiDir, "assets"));
    writeFileSync(join(uiDir, "index.html"), "<!doctype html><title>Weir dashboard</title>");
    writeFileSync(join(uiDir, "assets", "app.js"), "console.log('weir')");
    const t = await startTestServer("sqlite", { uiDir });
    try {
      expect(await fetch(`${t.url}/`).then((r) => r.text())).toContain("Weir dashboard");
      expect(await fetch(`${t.url}/runs/${uuid()}`).then((r) => r.text())).toContain("Weir dashboard");
      const asset = await fetch(`${t.url}/assets/app.js`);
      expect(asset.headers.get("content-type")).toMatch(/javascript/);
      const missing = await t.call("GET", "/api/nothing-here");
      expect(missing.status).toBe(404);
      expect(missing.body).toMatchObject({ error: { code: "WEIR_NOT_FOUND" } });
    } finally {
      await t.close();
    }
  });

  it("says how to build the dashboard when it is not built", async () => {
    const t = await startTestServer("sqlite", { uiDir: join(tempDir(), "absent") });
    try {
      const res = await fetch(`${t.url}/`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain("npm run build");
    } finally {
      await t.close();
    }
  });

  it("closes promptly with a live SSE client connected", async () => {
    const t = await startTestServer("sqlite");
    const res = await fetch(`${t.url}/api/events`);
    const reader = res.body!.getReader();
    await reader.read();
    await t.close();
    const rest = await reader.read().catch(() => ({ done: true }));
    expect(rest.done).toBe(true);
  });

  it("lets a request in flight finish when it closes", async () => {
    const t = await startTestServer("sqlite", { shutdownGraceMs: 600_000 });
    const run = await t.json<Run>("POST", "/api/runs", { flowName: "closing", state: "Running" });
    const logs = Array.from({ length: 5000 }, (_, seq) => ({
      runId: run.id,
      seq,
      level: "info",
      message: `m${seq}`,
    }));
    const received = new Promise((resolve) => t.server.app.server.once("request", resolve));
    const inFlight = t.call("POST", "/api/ingest", { logs });
    await received;
    // With a grace period longer than the test's timeout, close() must not wait for it: the
    // answered connection is closed, not left idling as keep-alive.
    await t.close();
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ accepted: { logs: 5000 } });
  });

  it("refuses an unknown database URL with a message naming the accepted forms", async () => {
    const failure = await createServer({ db: "mysql://x", dataDir: tempDir() }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(WeirServerError);
    expect(failure).toMatchObject({
      code: "WEIR_BAD_DB_URL",
      message: expect.stringMatching(/sqlite:<path>.*postgres:\/\//) as unknown,
    });
  });

  it("deletes finished runs and old lines past the retention period, keeping live runs", async () => {
    const dataDir = tempDir();
    const { app, applyRetention } = await createServer({ dataDir, retentionDays: 30 });
    try {
      const day = 86_400_000;
      const old = new Date(Date.now() - 40 * day).toISOString();
      const post = async <T>(url: string, payload: unknown) => {
        const res = await app.inject({ method: "POST", url, payload: payload as Record<string, unknown> });
        expect(res.statusCode, res.body).toBeLessThan(300);
        return res.json<T>();
      };
      const finished = await post<Run>("/api/runs", {
        flowName: "retention",
        state: "Running",
        timestamp: old,
      });
      await post("/api/ingest", {
        logs: [{ runId: finished.id, seq: 0, level: "info", message: "old", timestamp: old }],
        states: [{ runId: finished.id, id: uuid(), type: "Completed", timestamp: old }],
      });
      const live = await post<Run>("/api/runs", { flowName: "retention", state: "Running", timestamp: old });
      await post("/api/ingest", {
        logs: [
          { runId: live.id, seq: 0, level: "info", message: "last month", timestamp: old },
          { runId: live.id, seq: 1, level: "info", message: "today" },
        ],
      });
      const recent = await post<Run>("/api/runs", { flowName: "retention", state: "Running" });
      await post(`/api/runs/${recent.id}/state`, { id: uuid(), type: "Completed" });

      expect(await applyRetention()).toBe(1);
      expect((await app.inject({ method: "GET", url: `/api/runs/${finished.id}` })).statusCode).toBe(404);
      expect((await app.inject({ method: "GET", url: `/api/runs/${recent.id}` })).statusCode).toBe(200);
      const logs = (await app.inject({ method: "GET", url: `/api/runs/${live.id}/logs` })).json<
        Page<LogLine>
      >();
      expect(logs.items.map((l) => l.message)).toEqual(["today"]);
      const flows = (await app.inject({ method: "GET", url: "/api/flows" })).json<
        Page<{ name: string; runCount: number }>
      >();
      expect(flows.items.find((f) => f.name === "retention")?.runCount).toBe(2);
    } finally {
      await app.close();
    }
  });
});
