import type { Run } from "@weir/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { BACKENDS, startTestServer, uuid } from "../test/backends.js";
import type { TestServer } from "../test/backends.js";

/** A request as sent raw: any method, path, headers and body text. */
interface Hostile {
  label: string;
  method: string;
  path: string;
  body?: string;
  contentType?: string | null;
  headers?: Record<string, string>;
}

/** Deterministic PRNG (mulberry32) so a failure reproduces. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let r = Math.imul(a ^ (a >>> 15), 1 | a);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

const SQL = [
  "' OR '1'='1",
  "1; DROP TABLE runs; --",
  '" OR 1=1 --',
  "'); DELETE FROM logs; --",
  "1 UNION SELECT * FROM checkpoints",
];

function hostileRequests(runId: string): Hostile[] {
  const out: Hostile[] = [];
  const json = (label: string, method: string, path: string, value: unknown) =>
    out.push({ label, method, path, body: JSON.stringify(value), contentType: "application/json" });
  const validLog = { runId, seq: 1000, level: "info", message: "x" };
  const validMetric = { runId, seq: 1000, name: "m", value: 1 };
  const validRun = { flowName: "fuzz-new" };
  const validState = { id: uuid(), type: "Completed" };

  // Wrong types and values, field by field, in every write body.
  const badRunFields: Record<string, unknown[]> = {
    flowName: [42, null, "", "x".repeat(500), ["a"], { a: 1 }],
    kind: ["job", 1, SQL[0]],
    id: [...SQL, "not-a-uuid", 7],
    tags: ["nightly", [1, 2], ["x".repeat(200)]],
    parameters: [[1, 2], "p", 3],
    heartbeatIntervalSeconds: [-1, 0, "10", 1e9],
    state: ["Completed", "Crashed", "running", SQL[1]],
    timestamp: ["yesterday", 12345, SQL[2]],
    parentRunId: [SQL[3], 5],
  };
  for (const [field, values] of Object.entries(badRunFields))
    for (const v of values)
      json(`run.${field}=${String(v).slice(0, 20)}`, "POST", "/api/runs", { ...validRun, [field]: v });

  const badLogFields: Record<string, unknown[]> = {
    runId: [...SQL, 1, null, "00000000-0000-0000-0000-00000000000g"],
    seq: [-1, 1.5, "1", null, 2 ** 60],
    level: ["verbose", 5, SQL[0], ""],
    message: [null, 1, { a: 1 }, "x".repeat(100_001)],
    timestamp: ["tomorrow", 1, SQL[4]],
    fields: ["f", [1], 2],
    taskRunId: [SQL[1], 3],
  };
  for (const [field, values] of Object.entries(badLogFields))
    for (const v of values)
      json(`log.${field}=${String(v).slice(0, 20)}`, "POST", "/api/ingest", {
        logs: [validLog, { ...validLog, seq: 1001, [field]: v }],
      });

  const badMetricFields: Record<string, unknown[]> = {
    name: ["has space", "", SQL[0], 7],
    value: ["NaN", null, "1", { v: 1 }],
    step: [-5, 0.5, "s"],
  };
  for (const [field, values] of Object.entries(badMetricFields))
    for (const v of values)
      json(`metric.${field}=${String(v).slice(0, 20)}`, "POST", "/api/ingest", {
        metrics: [validMetric, { ...validMetric, seq: 1001, [field]: v }],
      });

  for (const v of [
    { logs: "nope" },
    { logs: {} },
    { metrics: [1] },
    { heartbeats: [SQL[0]] },
    { heartbeats: "x" },
    { states: [{ runId, type: "Completed" }] },
    [],
    "batch",
    42,
    null,
  ])
    json(`ingest shape ${JSON.stringify(v).slice(0, 20)}`, "POST", "/api/ingest", v);
  json("ingest too many items", "POST", "/api/ingest", {
    heartbeats: Array.from({ length: 10_001 }, () => runId),
  });

  for (const v of [
    { ...validState, type: "Exploded" },
    { ...validState, id: "x" },
    { type: "Completed" },
    { ...validState, message: 5 },
    { ...validState, timestamp: SQL[0] },
  ])
    json(`state ${JSON.stringify(v).slice(0, 30)}`, "POST", `/api/runs/${runId}/state`, v);

  for (const v of [
    {},
    { value: 1, expectedVersion: -1 },
    { value: 1, expectedVersion: "1" },
    { value: 1, expectedVersion: 1.5 },
  ])
    json(`checkpoint ${JSON.stringify(v)}`, "PUT", "/api/checkpoints/fuzz/state", v);
  for (const path of [
    "/api/checkpoints/a%20b/c",
    `/api/checkpoints/${"k".repeat(250)}/c`,
    `/api/checkpoints/${"k".repeat(400)}/c`,
    "/api/runs/%E0%A4%A",
    `/api/checkpoints/x/${encodeURIComponent(SQL[0]!)}`,
  ])
    json(`checkpoint path ${path.slice(0, 30)}`, "PUT", path, { value: 1 });

  for (const v of [
    { type: "image", data: "x" },
    { type: "link", data: "javascript:alert(1)" },
    { type: "link", data: "not a url" },
    { type: "markdown", data: 5 },
    { type: "table", data: "rows" },
    { type: "markdown", data: "# ok", key: "Has Spaces" },
    { type: "markdown", data: "# ok", key: SQL[1] },
  ])
    json(`artifact ${JSON.stringify(v).slice(0, 30)}`, "POST", `/api/runs/${runId}/artifacts`, v);
  json("artifact for unknown run", "POST", `/api/runs/${uuid()}/artifacts`, {
    type: "markdown",
    data: "# lost",
  });
  json("state for unknown run", "POST", `/api/runs/${uuid()}/state`, validState);
  json("heartbeat of unknown run", "POST", `/api/runs/${uuid()}/heartbeat`, {});

  // Bad ids and paths.
  for (const id of [...SQL, "../../etc/passwd", "%00", "12345", `${runId}x`, "null"])
    for (const suffix of ["", "/logs", "/states", "/metrics"])
      out.push({
        label: `GET bad id ${id.slice(0, 15)}${suffix}`,
        method: "GET",
        path: `/api/runs/${encodeURIComponent(id)}${suffix}`,
      });

  // Bad query strings.
  for (const q of [
    "limit=-1",
    "limit=abc",
    "limit=100000",
    "limit=0",
    `state=${encodeURIComponent(SQL[0]!)}`,
    "state=Sleeping",
    "sort=1",
    "since=notadate",
    `until=${encodeURIComponent(SQL[2]!)}`,
    "cursor=garbage",
    `cursor=${Buffer.from('["x",1]').toString("base64url")}`,
    "kind=job",
    `parentRunId=${encodeURIComponent(SQL[3]!)}`,
    "limit=1&limit=2",
    `q=${"x".repeat(300)}`,
  ])
    out.push({ label: `GET /api/runs?${q.slice(0, 30)}`, method: "GET", path: `/api/runs?${q}` });
  for (const q of [
    "level=loud",
    "order=sideways",
    "cursor=%7B%7D",
    "limit=9999",
    `taskRunId=${encodeURIComponent(SQL[0]!)}`,
  ])
    out.push({ label: `GET logs?${q}`, method: "GET", path: `/api/runs/${runId}/logs?${q}` });
  for (const q of ["maxPoints=0", "maxPoints=x", "name=has%20space"])
    out.push({ label: `GET metrics?${q}`, method: "GET", path: `/api/runs/${runId}/metrics?${q}` });
  out.push({
    label: "GET stats bad since",
    method: "GET",
    path: `/api/stats?since=${encodeURIComponent(SQL[0]!)}`,
  });
  out.push({
    label: "GET artifact bad key",
    method: "GET",
    path: `/api/artifacts/${encodeURIComponent(SQL[0]!)}`,
  });
  out.push({
    label: "GET events bad runId",
    method: "GET",
    path: `/api/events?runId=${encodeURIComponent(SQL[0]!)}`,
  });

  // Invalid JSON and wrong content types.
  for (const body of [
    "{",
    "[1,2",
    "nul",
    "{'flowName':'x'}",
    '{"flowName": "x",}',
    "\u0000",
    '{"__proto__": {"admin": true}, "flowName": 1}',
    "",
  ])
    out.push({
      label: `invalid JSON ${JSON.stringify(body).slice(0, 20)}`,
      method: "POST",
      path: "/api/runs",
      body,
      contentType: "application/json",
    });
  for (const contentType of [
    "text/plain",
    "application/xml",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "image/png",
    null,
  ])
    out.push({
      label: `content-type ${String(contentType)}`,
      method: "POST",
      path: "/api/ingest",
      body: '{"logs": []}x',
      contentType,
    });
  out.push({
    label: "deeply nested parameters, no flowName",
    method: "POST",
    path: "/api/runs",
    body: `{"parameters":${"[".repeat(5000)}${"]".repeat(5000)}}`,
    contentType: "application/json",
  });

  // Huge bodies (the fuzz server's limits are 256 KiB, checkpoints 512 KiB).
  const huge = JSON.stringify({
    logs: Array.from({ length: 4000 }, (_, seq) => ({ ...validLog, seq, message: "y".repeat(100) })),
  });
  out.push({
    label: "huge ingest body",
    method: "POST",
    path: "/api/ingest",
    body: huge,
    contentType: "application/json",
  });
  out.push({
    label: "huge run body",
    method: "POST",
    path: "/api/runs",
    body: JSON.stringify({ flowName: "big", parameters: { blob: "z".repeat(400_000) } }),
    contentType: "application/json",
  });
  out.push({
    label: "huge checkpoint",
    method: "PUT",
    path: "/api/checkpoints/fuzz/big",
    body: JSON.stringify({ value: "z".repeat(600_000) }),
    contentType: "application/json",
  });

  // Methods and routes that do not exist.
  for (const [method, path] of [
    ["DELETE", `/api/runs/${runId}`],
    ["PATCH", "/api/runs"],
    ["POST", "/api/stats"],
    ["PUT", "/api/runs"],
    ["POST", "/api/nothing"],
    ["DELETE", "/api/checkpoints/fuzz/state"],
  ] as const)
    out.push({ label: `${method} ${path}`, method, path, body: "{}", contentType: "application/json" });

  // Fill up to 200 with random mutations of valid ingest bodies (seeded).
  const random = prng(42);
  const poison: unknown[] = [...SQL, -1, 1.5, null, true, [], {}, "", "x".repeat(300), 2 ** 63];
  const fields = ["runId", "seq", "level", "message"] as const;
  while (out.length < 200) {
    const field = fields[Math.floor(random() * fields.length)]!;
    let value = poison[Math.floor(random() * poison.length)];
    if (field === "message" && typeof value === "string") value = 12;
    json(`random ${field}=${String(value).slice(0, 15)}`, "POST", "/api/ingest", {
      logs: [{ ...validLog, seq: 2000, [field]: value }],
    });
  }
  return out;
}

describe.each(BACKENDS)("hostile requests on $name", ({ name, skip }) => {
  let t: TestServer;
  let runId: string;
  beforeAll(async () => {
    if (skip) return;
    t = await startTestServer(name, { bodyLimit: 256 * 1024, checkpointBodyLimit: 512 * 1024 });
    const run = await t.json<Run>("POST", "/api/runs", {
      flowName: "fuzz-target",
      state: "Running",
      tags: ["t"],
    });
    runId = run.id;
    await t.json("POST", "/api/ingest", {
      logs: Array.from({ length: 10 }, (_, seq) => ({ runId, seq, level: "info", message: `line ${seq}` })),
      metrics: [{ runId, seq: 0, name: "m", value: 1 }],
    });
    await t.json("POST", `/api/runs/${runId}/artifacts`, {
      key: "fuzz-report",
      type: "markdown",
      data: "# r",
    });
    await t.json("PUT", "/api/checkpoints/fuzz/state", { value: { offset: 1 } });
  });
  afterAll(async () => {
    await t?.close();
  });

  const snapshot = async () => {
    const paths = [
      "/api/runs?limit=500",
      "/api/runs?kind=task&limit=500",
      `/api/runs/${runId}`,
      `/api/runs/${runId}/logs?limit=500`,
      `/api/runs/${runId}/states`,
      `/api/runs/${runId}/metrics`,
      `/api/runs/${runId}/artifacts`,
      "/api/artifacts/fuzz-report?all=true",
      "/api/checkpoints/fuzz/state",
      "/api/flows",
      "/api/stats",
    ];
    return Promise.all(paths.map((p) => t.call("GET", p)));
  };

  it.skipIf(skip)("answers 200 malformed or hostile requests with a 4xx and changes nothing", async () => {
    const before = await snapshot();
    const requests = hostileRequests(runId);
    expect(requests).toHaveLength(200);
    const wrong: string[] = [];
    for (const r of requests) {
      const headers: Record<string, string> = { ...(r.headers ?? {}) };
      if (r.contentType) headers["content-type"] = r.contentType;
      const res = await fetch(t.url + r.path, {
        method: r.method,
        headers,
        ...(r.body !== undefined ? { body: r.body } : {}),
      });
      const text = await res.text();
      if (res.status < 400 || res.status >= 500)
        wrong.push(`${r.label}: ${res.status} ${text.slice(0, 200)}`);
      else if (!r.path.startsWith("/api/events")) {
        const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
        if (!body.error?.code?.startsWith("WEIR_") || !body.error.message)
          wrong.push(`${r.label}: body ${text.slice(0, 200)}`);
      }
    }
    expect(wrong).toEqual([]);
    expect((await t.call("GET", "/api/health")).status).toBe(200);
    expect(await snapshot()).toEqual(before);
  });
});
