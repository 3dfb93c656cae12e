import { MAX_JSON_DEPTH } from "@weir/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { BACKENDS, startTestServer, uuid } from "../test/backends.js";
import type { TestServer } from "../test/backends.js";

/** `{"a":{"a":…{"a":1}…}}`, `levels` objects deep, written as text (no recursion anywhere). */
function nestedText(levels: number, open = '{"a":', close = "}"): string {
  return open.repeat(levels) + "1" + close.repeat(levels);
}

describe.each(BACKENDS)("JSON nesting on $name", ({ name, skip }) => {
  let server: TestServer;
  let runId: string;

  beforeAll(async () => {
    if (skip) return;
    server = await startTestServer(name);
    runId = (await server.json<{ id: string }>("POST", "/api/runs", { flowName: "deep" })).id;
  });
  afterAll(async () => {
    await server?.close();
  });

  /** Every body that carries free-form JSON, with `deep` (text) in that place. */
  const bodies = (deep: string, cell = deep): Array<[string, string, string, string]> => [
    ["run parameters", "POST", "/api/runs", `{"flowName":"deep","parameters":${deep}}`],
    [
      "ingest run parameters",
      "POST",
      "/api/ingest",
      `{"runs":[{"id":"${uuid()}","flowName":"deep","parameters":${deep}}]}`,
    ],
    [
      "ingest log fields",
      "POST",
      "/api/ingest",
      `{"logs":[{"runId":"${runId}","seq":1,"level":"info","message":"m","fields":${deep}}]}`,
    ],
    ["checkpoint value", "PUT", "/api/checkpoints/deep/key", `{"value":${deep}}`],
    ["table artifact", "POST", `/api/runs/${runId}/artifacts`, `{"type":"table","data":[{"cell":${cell}}]}`],
  ];

  async function send(method: string, path: string, body: string) {
    const res = await fetch(server.url + path, {
      method,
      headers: { "content-type": "application/json" },
      body,
    });
    return { status: res.status, body: (await res.json()) as { error?: { code: string; message: string } } };
  }

  it.skipIf(skip)(
    "refuses a value nested 5,000 and 100,000 deep with a 400 that names the field",
    async () => {
      for (const levels of [5_000, 100_000])
        for (const [label, method, path, body] of bodies(nestedText(levels))) {
          const answer = await send(method, path, body);
          expect(answer.status, `${label}, ${levels} levels`).toBe(400);
          expect(answer.body.error?.code).toBe("WEIR_VALIDATION");
          expect(answer.body.error?.message, label).toMatch(
            /(parameters|fields|value|data).*nested more than 64 levels/,
          );
        }
      const arrays = await send(
        "POST",
        "/api/runs",
        `{"flowName":"deep","parameters":{"a":${nestedText(5_000, "[", "]")}}}`,
      );
      expect(arrays.status).toBe(400);
    },
  );

  it.skipIf(skip)(`accepts and returns a value nested exactly ${MAX_JSON_DEPTH} levels`, async () => {
    const deep = nestedText(MAX_JSON_DEPTH);
    // A table is an array of rows: its cells start two levels down.
    for (const [label, method, path, body] of bodies(deep, nestedText(MAX_JSON_DEPTH - 2))) {
      const answer = await send(method, path, body);
      expect(answer.status, label).toBeLessThan(300);
    }
    const stored = await server.json<{ value: unknown }>("GET", "/api/checkpoints/deep/key");
    expect(JSON.stringify(stored.value)).toBe(deep);
    const tooDeep = await send(
      "POST",
      "/api/runs",
      `{"flowName":"deep","parameters":${nestedText(MAX_JSON_DEPTH + 1)}}`,
    );
    expect(tooDeep.status).toBe(400);
  });
});
